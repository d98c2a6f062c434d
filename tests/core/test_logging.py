import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_logs_are_one_json_object_per_line_on_stdout():
    env = {**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('schools.services').info('import finished', extra={'rows': 3})"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["message"] == "import finished"
    assert record["level"] == "INFO"
    assert record["logger"] == "schools.services"
    assert record["rows"] == 3
    assert "time" in record
