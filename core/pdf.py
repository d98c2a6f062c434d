"""Tagged PDFs from HTML, for every download the portal offers as PDF."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


class PdfUnavailable(Exception):
    """The server cannot build PDFs; the message says why and what to do instead."""


PDF_UA = "pdf/ua-1"
# For the registry: PDF/A-2 level A, the archival format that keeps the tags
# (the structure a screen reader follows) as well.
PDF_ARCHIVAL = "pdf/a-2a"


def render_pdf(html: str, *, base_url: str, variant: str = PDF_UA) -> bytes:
    """A tagged PDF (PDF/UA, or the archival PDF/A) of the HTML, built by WeasyPrint.

    The same HTML gives the same bytes when it names its dates in
    `<meta name="dcterms.created">` and `dcterms.modified`: the file's
    identifier is a hash of its content."""
    try:
        from weasyprint import HTML  # needs Pango: imported here so a server without it still starts
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(
            _(
                "The PDF cannot be built on this server: WeasyPrint needs the Pango libraries "
                "(Debian: libpango-1.0-0 and libpangoft2-1.0-0). Use the print button instead. (%(error)s)"
            )
            % {"error": exc}
        ) from exc
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant=variant)


def pdf_response(request: HttpRequest, template: str, context: dict, *, filename: str, fallback: str) -> HttpResponse:
    """The template as a PDF download, or back to `fallback` saying why the
    server cannot build PDFs."""
    html = render_to_string(template, context, request=request)
    try:
        pdf = render_pdf(html, base_url=request.build_absolute_uri("/"))
    except PdfUnavailable as exc:
        messages.error(request, str(exc))
        return redirect(fallback)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
