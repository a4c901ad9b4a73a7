"""Static files under ASGI stream without Django's "must consume synchronous iterators" warning, whole."""

import asyncio
import warnings
from pathlib import Path

import satulayar


def test_a_static_file_streams_asynchronously_under_asgi_without_a_warning(db):
    from django.test import AsyncClient

    async def fetch():
        response = await AsyncClient().get("/static/satulayar/satulayar.css")
        return response, b"".join([chunk async for chunk in response])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response, body = asyncio.run(fetch())
    assert response.status_code == 200 and response.is_async
    assert body == (Path(satulayar.__file__).parent / "core/static/satulayar/satulayar.css").read_bytes()
    assert not [w for w in caught if "synchronous iterators" in str(w.message)]
