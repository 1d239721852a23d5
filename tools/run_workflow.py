"""Run the Snakemake workflow with one line per step on the console; the full log goes to a file.

    python tools/run_workflow.py --cores 2 [snakemake arguments...]

Prints ``[3/21] running market_notebook -> reports/notebooks/03_market_sizing.ipynb`` when a job
starts and ``[3/21] done market_notebook (14 %)`` when it ends, instead of Snakemake's rule
listings. Everything Snakemake prints is kept in ``reports/logs/workflow.log`` (overwritten by
each run). When a job fails, the console shows the error message itself: the lines of the input
check, or the exception at the end of the failing notebook's papermill log.

After ``kill -9`` (or a power cut) Snakemake leaves a lock and possibly incomplete outputs. The run
passes ``--rerun-incomplete`` (incomplete outputs are rebuilt); if the folder is still locked, this
script says so and how to recover: ``bash tools/regenerate.sh --unlock``, then rerun.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "reports" / "logs" / "workflow.log"

_RULE = re.compile(r"^(?:local)?rule (\w+):$|^\s*(?:local)?rule (\w+):$")
_OUTPUT = re.compile(r"^\s+output: (.*)$")
_JOBID = re.compile(r"^\s+jobid: (\d+)$")
_FINISHED = re.compile(r"^Finished job(?:id)?:? (\d+)")
_PROGRESS = re.compile(r"^(\d+) of (\d+) steps \((\d+%)\) done")
_ERROR_IN = re.compile(r"^Error in rule (\w+):")
_LOGLINE = re.compile(r"^\s+log: (\S+)")


def _notebook_error(log_path: Path, limit: int = 12) -> list[str]:
    """The exception at the end of a papermill log (its last ``...Error: ...`` line onwards)."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    for i in range(len(lines) - 1, -1, -1):
        if re.match(r"^[A-Za-z_.]*(Error|Exception|Exit)\b.*:", lines[i].strip()):
            return [line for line in lines[i:i + limit] if line.strip()]
    return [line for line in lines[-limit:] if line.strip()]


#: Arguments for which Snakemake's own output is the point (plans, summaries, unlocking): passed
#: straight through, without the progress filter.
PASS_THROUGH = {"-n", "--dry-run", "--dryrun", "--unlock", "--summary", "-S", "--detailed-summary", "-D",
                "--list-changes", "--lc", "--list-rules", "-l", "--dag", "--rulegraph", "--help", "-h"}


def main(argv: list[str]) -> int:
    snakemake = str(Path(sys.executable).with_name("snakemake"))
    if PASS_THROUGH.intersection(argv) or any(a.startswith("--list-") for a in argv):
        return subprocess.run([snakemake, *argv], cwd=ROOT).returncode
    LOG.parent.mkdir(parents=True, exist_ok=True)
    command = [snakemake, "--rerun-incomplete", *argv]
    jobs: dict[str, tuple[str, str]] = {}
    total = "?"
    started = 0
    pending_rule = pending_output = None
    failed_logs: list[tuple[str, Path]] = []
    in_error = None
    last_finished = ""
    in_check_error = False
    with open(LOG, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, bufsize=1)
        assert process.stdout is not None
        for raw_line in process.stdout:
            log.write(raw_line)
            log.flush()
            line = raw_line.rstrip("\n")
            if m := _RULE.match(line):
                pending_rule, pending_output = m.group(1) or m.group(2), ""
                continue
            if pending_rule and (m := _OUTPUT.match(line)):
                pending_output = m.group(1).split(",")[0].strip()
                continue
            if pending_rule and (m := _JOBID.match(line)):
                started += 1
                jobs[m.group(1)] = (pending_rule, pending_output)
                arrow = f" -> {pending_output}" if pending_output else ""
                print(f"[{started}/{total}] running {pending_rule}{arrow}", flush=True)
                pending_rule = None
                continue
            if m := _FINISHED.match(line):
                last_finished = jobs.get(m.group(1), ("?", ""))[0]
                continue
            if m := _PROGRESS.match(line):
                total = m.group(2)
                print(f"[{m.group(1)}/{m.group(2)}] done {last_finished} ({m.group(3)})",
                      flush=True)
                continue
            if line.startswith("Job stats:") or line.startswith("total "):
                if line.startswith("total "):
                    total = line.split()[-1]
                continue
            if m := _ERROR_IN.match(line):
                in_error = m.group(1)
                print(f"FAILED {in_error}", flush=True)
                continue
            if in_error and (m := _LOGLINE.match(line)):
                failed_logs.append((in_error, ROOT / m.group(1).split()[0].rstrip(",;")))
                continue
            stripped = line.strip()
            if stripped.startswith("error:"):
                in_check_error = True
                print(line, flush=True)
                continue
            if in_check_error and line.startswith("  "):
                print(line, flush=True)
                continue
            in_check_error = False
            if stripped.startswith("WorkflowError"):
                in_check_error = True  # its message is on the next line(s)
                continue
            if stripped.startswith("ok: every input checked"):
                print("[checks] every input checked", flush=True)
                continue
            if (stripped.startswith(("Nothing to be done", "Missing input files", "affected files"))
                    or "LockException" in line or "cannot be locked" in line or "MissingInputException" in line):
                print(line, flush=True)
        code = process.wait()
    if code != 0:
        for rule, path in failed_logs:
            message = _notebook_error(path)
            if message:
                print(f"--- {rule}: end of {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:")
                for line in message:
                    print(f"    {line}")
        text = LOG.read_text(encoding="utf-8", errors="replace")
        if "LockException" in text or "cannot be locked" in text:
            print("The working folder is locked (a previous run was killed?). If no other run is active: "
                  "bash tools/regenerate.sh --unlock, then run again.")
        print(f"Run failed (exit {code}); full log: {LOG.relative_to(ROOT)}")
    else:
        print(f"Done; full log: {LOG.relative_to(ROOT)}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
