"""Chat deliveries are claimed once, whatever the number of retries or processes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bot.records.deliveries import Deliveries
from index.catalog import Catalog
from index.settings import Settings


def test_first_claim_wins_and_retries_lose(settings: Settings) -> None:
    settings.home.mkdir(parents=True)
    catalog = Catalog(settings.catalog_url)
    catalog.migrate()
    deliveries = Deliveries(catalog)
    assert deliveries.claim("slack:event:Ev1")
    assert not deliveries.claim("slack:event:Ev1")
    assert deliveries.claim("slack:event:Ev2")
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: Deliveries(catalog).claim("slack:event:Ev3"), range(20)))
    assert results.count(True) == 1
    assert deliveries.forget_older_than(timedelta(0)) == 3
    assert deliveries.claim("slack:event:Ev1")
    catalog.close()
