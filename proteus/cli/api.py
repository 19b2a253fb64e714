"""`proteus serve`: the API under uvicorn, and `proteus bench api`."""

from __future__ import annotations

import click
import uvicorn

from proteus.cli.common import connect, emit, settings
from proteus.tools.bench.api import bench_api

__all__ = ["bench_api_command", "serve"]


@click.command("serve")
@click.option("--host", default=None, help="Address to bind (default api_host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port (default api_port, 8000).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes, one Neo4j driver each (default api_workers, 2).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API; prints its URL and the docs URL."""
    config = settings()
    config = config.model_copy(update={k: v for k, v in
                                       (("api_host", host), ("api_port", port),
                                        ("api_workers", workers)) if v is not None})
    connect().close()
    click.echo(f"Proteus API  {config.api_url}/v1")
    click.echo(f"API docs     {config.api_url}/docs   (OpenAPI: {config.api_url}/openapi.json)")
    uvicorn.run("proteus.api.app:from_environment", factory=True, host=config.api_host,
                port=config.api_port, workers=config.api_workers, log_level="warning",
                access_log=False, timeout_worker_healthcheck=60)


@click.command("api")
@click.option("--seconds", default=10.0, show_default=True, type=click.FloatRange(1, 120),
              help="Load time per measured phase.")
@click.option("--connections", default=32, show_default=True, type=click.IntRange(1, 256))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 16),
              help="uvicorn workers of the measured server.")
@click.option("--rate", default=500.0, show_default=True, type=click.FloatRange(1, 100_000),
              help="Fixed request rate (open loop) of the Zipf recommendation mix and the "
                   "one-query floor.")
@click.option("--neighbours-rate", default=1000.0, show_default=True,
              type=click.FloatRange(1, 100_000),
              help="Fixed request rate (open loop) of the neighbours route.")
@click.option("--skew", default=0.99, show_default=True, type=click.FloatRange(0, 5),
              help="Zipf exponent of the recommendation subjects (YCSB: 0.99).")
@click.option("--seed", default=7, show_default=True, type=int)
def bench_api_command(seconds: float, connections: int, workers: int, rate: float,
                      neighbours_rate: float, skew: float, seed: int) -> None:
    """Neighbours and recommendations (a skewed mix at a fixed rate, and all misses) against
    a static route and a one-query route, in one run; wrk for closed loop."""
    with connect() as graph:
        result = bench_api(graph, settings(), seconds=seconds, connections=connections,
                           workers=workers, rate=rate, neighbours_rate=neighbours_rate,
                           skew=skew, seed=seed, progress=True)
    emit(result)
