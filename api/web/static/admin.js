// The invitation link's copy button: shown only when scripts run (the
// link stays selectable text without them); says in a live region whether
// the copy worked.

for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  if (!source || !status) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.value);
      status.textContent = button.dataset.copied;
    } catch {
      source.select();
      status.textContent = button.dataset.failed;
    }
  });
}
