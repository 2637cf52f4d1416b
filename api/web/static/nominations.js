// The nomination form's autosave: after a pause in typing, the step is
// posted as the save button would post it, with X-Autosave: 1. The server
// answers 204 with the new version in X-Version (kept in the hidden field,
// so the next save is not taken for a stale one), or an error status with
// a short plain text. Without JavaScript the save button does the same.

const form = document.querySelector("form[data-autosave]");
const status = document.getElementById("autosave-status");

if (form && status) {
  const version = form.querySelector("input[name=version]");
  let timer = 0;
  let busy = false;
  let again = false;

  // Japan time, whatever the browser's zone: every time on the site is JST.
  const jst = new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const hhmm = () => jst.format(new Date());

  const save = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    status.textContent = form.dataset.saving;
    const body = new URLSearchParams(new FormData(form));
    body.set("go", "save");
    try {
      const res = await fetch(form.action, {
        method: "POST",
        body,
        headers: { "X-Autosave": "1" },
        credentials: "same-origin",
      });
      if (res.status === 204) {
        const v = res.headers.get("X-Version");
        if (v && version) version.value = v;
        status.textContent = form.dataset.saved.replace("%s", hhmm());
      } else {
        const text = (await res.text()).trim();
        status.textContent = text ? `${form.dataset.failed} ${text}` : form.dataset.failed;
      }
    } catch {
      status.textContent = form.dataset.failed;
    } finally {
      busy = false;
      if (again) {
        again = false;
        save();
      }
    }
  };

  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 2000);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("submit", () => clearTimeout(timer));
}
