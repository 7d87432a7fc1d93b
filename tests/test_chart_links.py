"""Chart links: a real PNG of the expected size, refused when not ours."""

from __future__ import annotations

import io
from datetime import timedelta

import jwt
import pytest
from PIL import Image

from bot import chart_links, charts, router
from bot.error_report import Filters, build_report, rolling_spec
from bot.web import create_app
from tests.reports_data import random_events, seed_inventory, store_events


@pytest.fixture
def events(runtime, store, clock):  # type: ignore[no-untyped-def]
    inventory = seed_inventory(store, clock.now())
    store_events(store, inventory, random_events(clock.now(), 400), clock.now())


def chart_link(runtime, text: str = "/errors 7d") -> str:  # type: ignore[no-untyped-def]
    request = router.Request(text=text, user_id="u", user_name="u", to_jid="c")
    card = router.dispatch(runtime, request)
    [chart] = [item for item in card["body"] if item["type"] == "attachments"]
    return str(chart["img_url"])


def fetch(runtime, url: str):  # type: ignore[no-untyped-def]
    path = url.removeprefix(runtime.settings.public_base_url)
    return create_app(runtime).test_client().get(path)


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".png")


def test_it_serves_the_chart_of_the_card_as_a_png_of_chat_size(runtime, events) -> None:
    response = fetch(runtime, chart_link(runtime))

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    image.load()
    assert image.format == "PNG"
    assert image.size == (charts.WIDTH_PX, charts.HEIGHT_PX)


def test_it_draws_the_chart_again_when_the_cache_is_gone(runtime, events) -> None:
    url = chart_link(runtime, "/errors 24h category import")
    cached = fetch(runtime, url).data
    for path in (runtime.settings.var_dir / "charts").glob("*.png"):
        path.unlink()

    again = fetch(runtime, url)

    assert again.status_code == 200
    assert (
        Image.open(io.BytesIO(again.data)).size == Image.open(io.BytesIO(cached)).size
    )
    assert list((runtime.settings.var_dir / "charts").glob("*.png"))


def test_it_reads_back_the_report_a_link_was_made_for(runtime, clock) -> None:
    filters = Filters(client="Mutuelle Horizon", category="export")
    spec = rolling_spec("30d", clock.now(), runtime.settings.zone, filters)
    secret = runtime.settings.secret_key

    token = chart_links.chart_token(spec, "en", secret, clock.now())

    assert chart_links.read_chart_token(token, secret, clock.now()) == (spec, "en")


def tampered(token: str) -> str:
    header, claims, signature = token.split(".")
    # Change one character of the claims: the signature no longer matches.
    flipped = ("A" if claims[5] != "A" else "B").join((claims[:5], claims[6:]))
    return ".".join((header, flipped, signature))


def resigned(token: str, key: str | bytes, **changes: object) -> str:
    """The token's claims, changed, signed again with ``key``."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode({**claims, **changes}, key, algorithm="HS256")


SECRET = "test-signing-key-0123456789"
"""The settings fixture's BATCHOPS_SECRET_KEY."""


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(tampered, id="tampered"),
        pytest.param(
            lambda token: resigned(token, "another-batchops-secret-key-0123456789"),
            id="signed-with-another-key",
        ),
        pytest.param(
            lambda token: resigned(token, SECRET, aud="batchops:action"),
            id="signed-with-our-raw-secret-for-another-use",
        ),
        pytest.param(
            lambda token: resigned(
                token, chart_links.signing_key(SECRET), aud="batchops:action"
            ),
            id="meant-for-another-audience",
        ),
        pytest.param(
            lambda token: resigned(token, chart_links.signing_key(SECRET), s="x"),
            id="malformed-claims",
        ),
        pytest.param(lambda token: "not-a-token", id="garbage"),
        pytest.param(lambda token: token + "x" * 3000, id="oversized"),
    ],
)
# The raw test secret is shorter than HS256 likes; the forger does not care.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_it_refuses_a_link_it_did_not_sign_with_a_bare_404(
    runtime, events, forge
) -> None:
    assert runtime.settings.secret_key == SECRET
    url = chart_link(runtime)
    forged = url.replace(token_of(url), forge(token_of(url)))

    response = fetch(runtime, forged)

    assert response.status_code == 404
    assert response.data == b""


def test_it_refuses_a_link_once_it_has_expired(runtime, events, clock) -> None:
    url = chart_link(runtime)
    clock.advance(chart_links.LINK_LIFETIME - timedelta(minutes=1))
    assert fetch(runtime, url).status_code == 200

    clock.advance(timedelta(minutes=2))

    assert fetch(runtime, url).status_code == 404


def test_it_refuses_a_signed_link_asking_for_an_unbounded_chart(runtime, clock) -> None:
    spec = rolling_spec("30d", clock.now(), runtime.settings.zone)
    token = chart_links.chart_token(spec, "fr", SECRET, clock.now())
    start = int(spec.start.timestamp()) - 400 * 86400

    wide = resigned(token, chart_links.signing_key(SECRET), s=start)

    assert chart_links.read_chart_token(token, SECRET, clock.now()) is not None
    assert chart_links.read_chart_token(wide, SECRET, clock.now()) is None


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_it_draws_every_period_without_failing(runtime, events, lang: str) -> None:
    zone = runtime.settings.zone
    for period in ("24h", "7d", "30d"):
        spec = rolling_spec(period, runtime.clock.now(), zone)
        with runtime.store.session() as session:
            report = build_report(session, spec, zone)

        png = charts.render_chart(report, zone, lang)

        assert Image.open(io.BytesIO(png)).size == (charts.WIDTH_PX, charts.HEIGHT_PX)


def test_it_keeps_only_the_newest_charts(runtime, events, monkeypatch) -> None:
    monkeypatch.setattr(chart_links, "KEPT_CHARTS", 2)
    links = []
    for _ in range(3):
        links.append(chart_link(runtime, "/errors 24h"))
        runtime.clock.advance(timedelta(minutes=1))

    kept = list((runtime.settings.var_dir / "charts").glob("*.png"))

    assert len(kept) == 2
    assert all(fetch(runtime, link).status_code == 200 for link in links)
