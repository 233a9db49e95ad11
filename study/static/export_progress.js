// An export's progress while it runs: the page asks the server every two seconds and
// reloads itself when the archive is ready (or the export stopped), to show what to do next.
document.querySelectorAll("[data-export-progress]").forEach((box) => {
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const started = Date.now();
  const first = Number(bar.value);
  const ask = async () => {
    let shown;
    try {
      const answer = await fetch(box.dataset.exportProgress, { headers: { Accept: "application/json" } });
      if (!answer.ok) throw new Error(String(answer.status));
      shown = await answer.json();
    } catch (error) {
      window.setTimeout(ask, 5000);
      return;
    }
    if (shown.state !== "running") {
      window.location.reload();
      return;
    }
    bar.value = shown.percent;
    bar.textContent = `${shown.percent} %`;
    let left = "";
    const share = (shown.percent - first) / (100 - first || 1);
    if (share > 0.02) {
      const seconds = ((Date.now() - started) / 1000) * (1 - share) / share;
      left = ` · ~${Math.ceil(seconds)} s ${box.dataset.left || ""}`;
    }
    text.textContent = `${shown.percent} % (${shown.files_done}/${shown.files_total})${left}`;
    window.setTimeout(ask, 2000);
  };
  window.setTimeout(ask, 1000);
});
