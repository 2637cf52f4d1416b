// awardflow's progressive enhancements. Every page works without this
// file; each part does nothing when its elements are absent.

// Session expiry: warn 10 minutes before the sign-in ends, and say when it
// has ended, so nobody types for an hour into a form that will be refused.
function sessionWarning() {
  const exp = Number(document.body.dataset.expires || 0);
  const box = document.getElementById("session-warning");
  if (!exp || !box) return;
  const tick = () => {
    const left = exp * 1000 - Date.now();
    if (left <= 0) {
      box.textContent = box.dataset.over;
      box.hidden = false;
      return;
    }
    const minutes = Math.ceil(left / 60000);
    if (minutes <= 10) {
      box.textContent = box.dataset.soon.replace("%d", String(minutes));
      box.hidden = false;
    }
    setTimeout(tick, Math.min(left, 30000));
  };
  tick();
}

// Character counters: "N文字以内" becomes "あとN文字 / N文字以内" as people type.
function counters() {
  for (const p of document.querySelectorAll("p.counter[data-for]")) {
    const field = document.getElementById(p.dataset.for);
    if (!field) continue;
    const max = Number(field.dataset.maxlength);
    const base = p.textContent.trim();
    const ja = document.documentElement.lang === "ja";
    const update = () => {
      const n = [...field.value].length;
      const left = max - n;
      p.textContent = ja
        ? `${base}（現在${n}文字${left < 0 ? `、${-left}文字超過` : ""}）`
        : `${base} (${n} now${left < 0 ? `, ${-left} too many` : ""})`;
      p.classList.toggle("over", left < 0);
    };
    field.addEventListener("input", update);
    update();
  }
}

// A refused form: move focus to the error summary so it is read first.
function focusSummary() {
  const s = document.getElementById("form-errors");
  if (s) s.focus();
}

sessionWarning();
counters();
focusSummary();
