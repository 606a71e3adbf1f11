"""Every benchmark at a size that finishes in minutes, printed as one table of ratios against the
baselines measured in the same run, with the goal beside each (`make bench`).

    .venv/bin/python -m bench.all [--quick]
"""

from __future__ import annotations

import argparse
import asyncio

from bench import (
    api_delivery,
    console_overview,
    console_responses,
    digest_scale,
    outside_chat,
    slack_acks,
    telegram_throughput,
    text_model,
    webhooks,
)
from bench.common import Row, fresh_postgres, print_table


async def everything(scale: float) -> list[Row]:
    rows: list[Row] = []
    for postgres in (False, True):
        database = fresh_postgres("sayso_bench_acks") if postgres else None
        rows += await slack_acks.measure(int(600 * scale), 50, database)
        database = fresh_postgres("sayso_bench_api") if postgres else None
        rows += await api_delivery.measure(int(3000 * scale), 50, database)
    rows += await telegram_throughput.measure(int(300 * scale))
    rows += await webhooks.measure(int(2000 * scale), 0.2)
    rows += await digest_scale.rows(int(200_000 * scale), ["sqlite", "postgresql"], 3)
    rows += await console_overview.rows(int(200_000 * scale), ["sqlite", "postgresql"], 10)
    rows += await console_responses.rows(int(200_000 * scale), ["sqlite", "postgresql"], 5)
    rows += await outside_chat.rows(int(10_000 * scale), 50, 30)
    rows += await asyncio.to_thread(text_model.measure, [int(1000 * scale)], [])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fifth of the sizes, to check the benches run")
    args = parser.parse_args()
    print_table(
        "Sayso benchmarks (ratios against baselines measured in the same run)",
        asyncio.run(everything(0.2 if args.quick else 1.0)),
    )


if __name__ == "__main__":
    main()
