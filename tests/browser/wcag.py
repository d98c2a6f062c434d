"""Checks of WCAG 2.1 success criteria that axe does not make: control borders
(1.4.11), a visible focus indicator (2.4.7), reflow at 320 CSS px (1.4.10) and
text at 200 % (1.4.4). Each returns a list of what fails, empty when all is well."""

from playwright.sync_api import Page

_CONTRAST = """
function luminance(colour) {
  const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function opaque(colour) {
  const parts = colour.match(/[\\d.]+/g);
  return parts.length < 4 || Number(parts[3]) > 0.9;
}
function background(element) {
  for (let e = element.parentElement; e; e = e.parentElement) {
    const colour = getComputedStyle(e).backgroundColor;
    if (opaque(colour)) return colour;
  }
  return "rgb(255, 255, 255)";
}
function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}
"""

BORDERS = (
    "() => {"
    + _CONTRAST
    + """
  const failures = [];
  const controls = "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea";
  document.querySelectorAll(controls).forEach((el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === "hidden") return;
    const ratio = contrast(style.borderTopColor, background(el));
    if (parseFloat(style.borderTopWidth) < 1 || ratio < 3) {
      failures.push(`${el.name || el.id}: border ${style.borderTopColor} on ${background(el)}, ${ratio.toFixed(2)}:1`);
    }
  });
  return failures;
}"""
)

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  window.__focusSeen = window.__focusSeen || new Set();
  if (window.__focusSeen.has(el)) return {wrapped: true};
  window.__focusSeen.add(el);
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  const name = (el.getAttribute("aria-label") || el.textContent || el.name || el.id || el.tagName).trim();
  return {wrapped: false, visible: outline || shadow, name: `${el.tagName.toLowerCase()} ${name.slice(0, 60)}`};
}"""


def control_border_failures(page: Page) -> list[str]:
    return page.evaluate(BORDERS)


def focus_failures(page: Page, limit: int = 120) -> list[str]:
    """Tab through the page from its top: every element that takes focus must show it."""
    page.evaluate("() => { window.__focusSeen = new Set(); document.activeElement && document.activeElement.blur(); }")
    failures, count = [], 0
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or focused["wrapped"]:
            break
        count += 1
        if not focused["visible"]:
            failures.append(f"no visible focus: {focused['name']}")
    if count == 0:
        failures.append("nothing on the page takes focus")
    return failures


def reflow_failures(page: Page, url: str) -> list[str]:
    """At 320 CSS px wide the page must not scroll sideways (tables may scroll inside themselves)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    try:
        page.goto(url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        return [] if width <= 320 else [f"{url}: {width} px wide at 320 px"]
    finally:
        page.set_viewport_size(size)


def text_zoom_failures(page: Page, url: str) -> list[str]:
    """Text at 200 %: no sideways scroll, and every control whole, inside the page, its text not cut."""
    page.goto(url)
    # Through the CSS object model: the Content-Security-Policy refuses an added <style>.
    page.evaluate("() => document.documentElement.style.setProperty('font-size', '200%', 'important')")
    return page.evaluate(
        """() => {
  const failures = [];
  const width = document.documentElement.clientWidth;
  const scrolled = document.documentElement.scrollWidth;
  if (scrolled > width + 1) failures.push(`scrolls sideways: ${scrolled} px`);
  document.querySelectorAll("a.btn, button, input:not([type=hidden]), select, textarea").forEach((el) => {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") return;
    const name = (el.textContent || el.name || el.id).trim().slice(0, 50);
    if (box.left < -1 || box.right > width + 1) failures.push(`outside the page: ${name}`);
    const field = ["SELECT", "INPUT", "TEXTAREA"].includes(el.tagName);
    if (!field && el.scrollWidth > el.clientWidth + 2) {
      failures.push(`text cut: ${name}`);
    }
  });
  return failures;
}"""
    )


def all_failures(page: Page, url: str) -> list[str]:
    page.goto(url)
    failures = [f"1.4.11 {f}" for f in control_border_failures(page)]
    failures += [f"2.4.7 {f}" for f in focus_failures(page)]
    failures += [f"1.4.10 {f}" for f in reflow_failures(page, url)]
    failures += [f"1.4.4 {f}" for f in text_zoom_failures(page, url)]
    return [f"{url}: {f}" for f in failures]
