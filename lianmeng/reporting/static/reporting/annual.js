// The annual report's progress page: when the polled panel says the file is ready, download it once.
document.addEventListener("htmx:afterSwap", (event) => {
  const panel = document.getElementById("annual-progress");
  if (!panel || panel.dataset.status !== "ready" || panel.dataset.downloaded) return;
  panel.dataset.downloaded = "1";
  const link = document.getElementById("annual-download");
  if (link) window.location.assign(link.href);
});
