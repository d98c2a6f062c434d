import socket

import pytest


@pytest.mark.worker
def test_a_task_sent_through_redis_is_run_by_a_real_worker(celery_worker_process):
    worker = celery_worker_process
    result = worker.client.send_task("core.tasks.ping", queue=worker.queue)
    assert result.get(timeout=30) == {"pong": True, "worker_host": socket.gethostname()}
    assert result.status == "SUCCESS"
    assert f"Task core.tasks.ping[{result.id}] received" in worker.log.read_text()
