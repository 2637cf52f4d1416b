// The nomination list's bulk form: says how many rows are selected (or
// that everything matching is), as the page would after posting. Without
// JavaScript the form posts the same and the confirmation page counts.

const form = document.getElementById("bulk-form");
const status = document.getElementById("bulk-selected");

if (form && status) {
  const all = document.getElementById("bulk-all");
  const update = () => {
    const n = form.querySelectorAll("input[name=sel]:checked").length;
    if (all && all.checked) {
      status.textContent = status.dataset.all;
    } else {
      status.textContent = n > 0 ? status.dataset.template.replace("%d", String(n)) : "";
    }
  };
  form.addEventListener("change", update);
  update();
}
