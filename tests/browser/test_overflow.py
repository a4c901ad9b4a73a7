"""Every page each demo role reaches from its menu, one page of each kind of detail those pages link to (a unit,
a person, a sidak and its report, a camera, …), and the public pages, on a phone (390×844), a desk (1440×900) and a
wall (1920×1080), the television pages also at 3840×2160: nothing wider than the screen, no text cut off (clipped
without an ellipsis and the whole text in a title), no console error, no failed request.

Slow (a few minutes: about a hundred page loads) but part of `make test`: it is what finds a table running off a
phone or a script error on a page nobody opened since the last change."""

import contextlib
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import TimeoutError as PlaywrightTimeout

SIZES = {"phone": (390, 844), "desk": (1440, 900), "wall": (1920, 1080), "4k": (3840, 2160)}  # 4k: TVs only
ROLES = ["walikota", "operator_cc", "inspektur", "admin_bkpsdm", "admin_dinkes", "admin_diskominfotik",
         "camat_banjarmasin_barat", "lurah_kuin_cerucuk", "pegawai"]
DETAILS = [re.compile(pattern) for pattern in (  # one of each, as the first role whose pages link to it
    r"^/satu-layar/unit/\d+/$", r"^/satu-layar/pegawai/\d+/$", r"^/satu-layar/kelurahan/\d+/$",
    r"^/satu-layar/kecamatan/\d+/$", r"^/kehadiran/rekap/\d+/\d{4}-\d{2}/$", r"^/kehadiran/koreksi/\d+/",
    r"^/kehadiran/mesin/\d+/$", r"^/sidak/\d+/$", r"^/sidak/\d+/laporan/$", r"^/sidak/temuan/\d+/$",
    r"^/cctv/kamera/\d+/$", r"^/integrasi/sumber/\d+/$", r"^/integrasi/proses/\d+/$", r"^/integritas/\d+/$")]
PER_ROLE = {"/satu-layar/", "/kehadiran/"}  # shaped by the role (names hidden, scope): walked again for each
TV_ONLY = re.compile(r"^/(satu-layar/layar|antrean/[^/]+/layar)/")  # the wall and the queue display: televisions
DRAWN = "() => !document.querySelector('.htmx-request, [data-map-placeholder], .chart-loading')"
SKIP = re.compile(r"^/(admin/|keluar/|api/docs)")  # Django's admin and the API docs are not our screens
MEASURE = """() => {
  const SCROLLERS = '.table-responsive, .leaflet-container, [data-allow-overflow]';
  const wide = Array.from(document.querySelectorAll('body *')).filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > window.innerWidth + 1 && getComputedStyle(el).position !== 'fixed'
      && !(el.parentElement && el.parentElement.closest(SCROLLERS));
  }).slice(0, 3).map((el) => el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 60));
  const cut = Array.from(document.querySelectorAll('body *')).filter((el) => {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    const hidden = '.visually-hidden, .visually-hidden-focusable, .sr-only, [aria-hidden=true]';
    if (!own || el.closest(SCROLLERS + ', ' + hidden)) return false;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || el.clientWidth === 0) return false;
    const clipsX = ['hidden', 'clip'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const clipsY = ['hidden', 'clip'].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 2;
    // A deliberate ellipsis is fine when the whole text is one hover (or screen reader) away.
    const told = style.textOverflow === 'ellipsis' && el.closest('[title], [aria-label]');
    return (clipsX && !told) || (clipsY && style.webkitLineClamp === 'none');
  }).slice(0, 3).map((el) => el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 40) + ' "'
                      + el.textContent.trim().slice(0, 40) + '"');
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide: wide, cut: cut};
}"""


@pytest.fixture
def demo_city(transactional_db):
    call_command("seed", employees=300, days=3, seed=7)


def _menu(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("#sidebar-menu a.nav-link[href], main a.btn[href]",
                                      "links => links.map((a) => a.getAttribute('href'))")
    return [h for h in dict.fromkeys(hrefs) if h.startswith("/") and not SKIP.match(h) and "unduh=" not in h
            and not h.endswith((".csv", ".xlsx", ".pdf", ".json"))]


def _details(page, taken: set[str]) -> list[str]:
    """On the page open now: the first link of each detail kind not taken yet."""
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map((a) => a.getAttribute('href'))")
    found = []
    for pattern in DETAILS:
        if pattern.pattern in taken:
            continue
        href = next((h for h in hrefs if pattern.match(h.split("#")[0].split("?")[0])), None)
        if href:
            taken.add(pattern.pattern)
            found.append(href.split("#")[0])
    return found


def _public(page, base: str) -> list[str]:
    """The citizen's pages: take a number, the ticket it gives, the queue display, the open data."""
    from satulayar.org.models import Kelurahan

    code = Kelurahan.objects.get(name="Kuin Cerucuk").code
    page.goto(f"{base}/antrean/{code}/")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/antrean/tiket/**")
    return ["/masuk/", f"/antrean/{code}/", page.url.removeprefix(base), f"/antrean/{code}/layar/", "/data-terbuka/"]


def _drawn(page) -> None:
    """Until the page's charts, map and fragments have drawn (at most 5 s; what is still missing then is measured
    as it stands)."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(DRAWN, timeout=5000, polling=50)


def _watch(page, problems: list[str]) -> None:
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text[:160]}"))
    page.on("pageerror", lambda e: problems.append(f"script: {str(e)[:160]}"))
    page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
            and problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))


@pytest.mark.slow
def test_every_menu_page_fits_every_screen_without_errors(demo_city, live_server, browser, login):
    found: list[str] = []
    seen: set[str] = set()
    taken: set[str] = set()
    walks = []
    for role in ROLES:
        first = browser.new_context(viewport={"width": 1440, "height": 900})
        page = first.new_page()
        login(page, role)
        state = first.storage_state()
        paths = ["/"] + [p for p in _menu(page, live_server.url) if p not in seen or p in PER_ROLE]
        seen.update(paths[1:])
        for path in paths:  # the details found are searched for details in turn
            page.goto(live_server.url + path, wait_until="load")
            paths += [p for p in _details(page, taken) if p not in seen]
        seen.update(paths)
        first.close()
        walks.append((role, state, paths))
    citizen = browser.new_context(viewport={"width": 390, "height": 844})
    walks.append(("publik", None, _public(citizen.new_page(), live_server.url)))
    citizen.close()
    assert len(taken) >= 9, f"only these detail kinds were linked: {sorted(taken)}"
    for role, state, paths in walks:
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height}, storage_state=state)
            page = context.new_page()
            problems: list[str] = []
            _watch(page, problems)
            for path in paths:
                if (size == "phone" and TV_ONLY.match(path)) or (size == "4k" and not TV_ONLY.match(path)):
                    continue
                problems.clear()
                response = page.goto(live_server.url + path, wait_until="load")
                _drawn(page)
                shape = page.evaluate(MEASURE)
                where = f"{role} {size} {path}"
                if response is None or response.status != 200:
                    found.append(f"{where}: HTTP {response.status if response else '-'}")
                if shape["scrollWidth"] > shape["innerWidth"]:
                    found.append(f"{where}: {shape['scrollWidth']} px wide on a {shape['innerWidth']} px screen "
                                 f"{shape['wide']}")
                if shape["cut"]:
                    found.append(f"{where}: text cut off {shape['cut']}")
                found.extend(f"{where}: {problem}" for problem in problems)
            context.close()
    assert not found, "\n".join(found)
