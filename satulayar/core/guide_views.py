"""The role guides: their list, one guide in the site's layout, and their screenshots (behind login, like the pages)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from satulayar.core import guides


@login_required
@require_GET
def guide_list(request):
    return render(request, "core/guide_list.html", {"guides": list(guides.GUIDES.values())})


@login_required
@require_GET
def guide(request, slug: str):
    item = guides.GUIDES.get(slug)
    if item is None or not item.path.is_file():
        raise Http404
    return render(request, "core/guide.html", {"guide": item, "body": mark_safe(guides.render(item)),
                                                "guides": list(guides.GUIDES.values())})


@login_required
@require_GET
def guide_image(request, name: str):
    path = guides.image_path(name)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
