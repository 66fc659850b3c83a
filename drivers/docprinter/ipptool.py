"""IPP requests through CUPS' `ipptool` (see docs/adr/0130-ipp-client-ipptool.md).

Each request is one `ipptool -X -T seconds` run with a small test file; its plist answer is
parsed by `ipp_status.parse_ipptool_plist`. Failures (no answer, timeout, missing binary) come
back as an `IppResponse` with ``transport_error`` set, never as exceptions.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from drivers.docprinter.ipp_status import IppResponse, parse_ipptool_plist

IPPTOOL = "ipptool"
PRINTER_ATTRIBUTES = (
    "printer-state,printer-state-reasons,printer-state-message,printer-is-accepting-jobs,"
    "printer-make-and-model"
)
JOB_ATTRIBUTES = "job-id,job-state,job-state-reasons,job-state-message,job-impressions-completed"

_HEADER = """  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name kiosk
"""

TESTS = {
    "print.test": "{\n  NAME \"print\"\n  OPERATION Print-Job\n" + _HEADER
    + "  ATTR name job-name $jobname\n"
    + "  ATTR mimeMediaType document-format application/pdf\n"
    + "  GROUP job-attributes-tag\n  ATTR integer copies $copies\n"
    + "  FILE $filename\n}\n",
    "job.test": "{\n  NAME \"job\"\n  OPERATION Get-Job-Attributes\n" + _HEADER
    + "  ATTR integer job-id $jobid\n"
    + f"  ATTR keyword requested-attributes {JOB_ATTRIBUTES}\n}}\n",
    "cancel.test": "{\n  NAME \"cancel\"\n  OPERATION Cancel-Job\n" + _HEADER
    + "  ATTR integer job-id $jobid\n}\n",
    "printer.test": "{\n  NAME \"printer\"\n  OPERATION Get-Printer-Attributes\n" + _HEADER
    + f"  ATTR keyword requested-attributes {PRINTER_ATTRIBUTES}\n}}\n",
}

#: Extra wall-clock allowance on top of ipptool's own -T timeout before it is killed.
KILL_GRACE_SECONDS = 3.0


class IppTool:
    """Runs IPP operations against one printer URI."""

    def __init__(self, uri: str, request_timeout_seconds: float = 5.0,
                 binary: str = IPPTOOL) -> None:
        self.uri = uri
        self.request_timeout_seconds = request_timeout_seconds
        self.binary = shutil.which(binary) or binary
        self._dir = Path(tempfile.mkdtemp(prefix="kiosk-ipptool-"))
        for name, text in TESTS.items():
            (self._dir / name).write_text(text, encoding="utf-8")

    def close(self) -> None:
        """Remove the test files."""
        shutil.rmtree(self._dir, ignore_errors=True)

    def _run(self, test: str, variables: dict[str, str], filename: Path | None = None,
             timeout_seconds: float | None = None) -> IppResponse:
        timeout = timeout_seconds or self.request_timeout_seconds
        cmd = [self.binary, "-X", "-T", f"{timeout:g}"]
        for key, value in variables.items():
            cmd += ["-d", f"{key}={value}"]
        if filename is not None:
            cmd += ["-f", str(filename)]
        cmd += [self.uri, str(self._dir / test)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout + KILL_GRACE_SECONDS,
                                  check=False)
        except subprocess.TimeoutExpired:
            return IppResponse(transport_error=f"no answer within {timeout:g} s")
        except OSError as exc:
            return IppResponse(transport_error=f"cannot run ipptool ({exc.strerror})")
        response = parse_ipptool_plist(done.stdout)
        if response.transport_error and done.stderr:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1]
            return IppResponse(transport_error=detail[:200])
        return response

    def get_printer(self) -> IppResponse:
        """Get-Printer-Attributes (state, reasons, accepting)."""
        return self._run("printer.test", {})

    def print_job(self, pdf_path: Path, job_name: str, copies: int,
                  timeout_seconds: float | None = None) -> IppResponse:
        """Print-Job with a PDF document."""
        safe_name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in job_name)[:60]
        return self._run("print.test", {"jobname": safe_name or "document", "copies": str(copies)},
                         filename=pdf_path, timeout_seconds=timeout_seconds)

    def get_job(self, job_id: int) -> IppResponse:
        """Get-Job-Attributes for one job."""
        return self._run("job.test", {"jobid": str(job_id)})

    def cancel_job(self, job_id: int) -> IppResponse:
        """Cancel-Job."""
        return self._run("cancel.test", {"jobid": str(job_id)})
