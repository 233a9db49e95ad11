// A button that prints the page (a respondent's link and QR code). No inline script: the
// content policy allows scripts from this host only.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
