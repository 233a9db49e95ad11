// The recording upload with a progress bar and the time left. Without scripts the form is
// sent as it is; with them, the same request goes through XMLHttpRequest, whose upload
// events say how far it has come. The server's answer (a redirect or the page with its
// message) is shown as the browser would have shown it, one-time messages included.
document.querySelectorAll("form[data-upload]").forEach((form) => {
  const box = form.querySelector(".upload-progress");
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    const started = Date.now();
    request.open("POST", form.getAttribute("action"));
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      const share = progress.loaded / progress.total;
      bar.value = Math.round(share * 100);
      const seconds = share > 0 ? ((Date.now() - started) / 1000) * (1 - share) / share : 0;
      text.textContent = `${bar.value} % (${Math.ceil(seconds)} s ${box.dataset.left || ""})`.trim();
    });
    request.addEventListener("load", () => {
      // The request followed the redirect itself, and that answer carries the one-time
      // message ("saved"): show it, rather than load the list again without it. The address
      // becomes the answer's, so reloading asks for the list, never sends the file again.
      document.open();
      document.write(request.responseText);
      document.close();
      if (request.status < 400 && request.responseURL) {
        window.history.replaceState(null, "", request.responseURL);
      }
    });
    request.addEventListener("error", () => {
      button.disabled = false;
      text.textContent = box.dataset.failed || "";
    });
    box.hidden = false;
    button.disabled = true;
    request.send(new FormData(form));
  });
});
