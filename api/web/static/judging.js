// The scoring form's live weighted total as the judge types (full-width
// digits ０-９ and the full-width period count). The draft's autosave is
// nominations.js's, which the entry page loads too: it posts any
// form[data-autosave] as its save button would, with X-Autosave: 1.

const form = document.getElementById("score-form");

// halfWidth turns full-width digits, period and minus into ASCII.
const halfWidth = (s) =>
  s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/．/g, ".")
    .replace(/[－−]/g, "-")
    .trim();

function liveTotal() {
  const out = document.getElementById("score-total");
  if (!form || !out || !form.dataset.weights) return;
  const weights = form.dataset.weights.split(",").map((p) => {
    const at = p.lastIndexOf(":");
    return [p.slice(0, at), Number(p.slice(at + 1))];
  });
  const update = () => {
    let total = 0;
    let any = false;
    for (const [name, weight] of weights) {
      const input = form.elements.namedItem(name);
      if (!input) continue;
      const v = halfWidth(input.value);
      if (v === "" || !/^-?[0-9]+(\.[0-9]+)?$/.test(v)) continue;
      total += weight * Number(v);
      any = true;
    }
    out.textContent = any ? String(Math.round(total * 1e6) / 1e6) : "—";
  };
  form.addEventListener("input", update);
  update();
}

liveTotal();
