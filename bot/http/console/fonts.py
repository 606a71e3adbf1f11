"""Fonts for Urdu and Hindi, served by Sayso itself: a staff member's machine may have none for these
scripts (squares instead of ہ ے ۔), and a CDN is not allowed. OFL Noto fonts from their wheels."""

from __future__ import annotations

from pathlib import Path

import pylopdf_fonts_ar
import pylopdf_fonts_hi
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

router = APIRouter(prefix="/console/fonts", include_in_schema=False)
FONTS: dict[str, Path] = {
    "naskh-arabic.ttf": pylopdf_fonts_ar.serif_path(),  # Noto Naskh Arabic: Urdu's letters included
    "sans-devanagari.ttf": pylopdf_fonts_hi.sans_path(),  # Noto Sans Devanagari
}


@router.get("/{name}")
async def font(name: str) -> FileResponse:
    path = FONTS.get(name)
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type="font/ttf", headers={"Cache-Control": "public, max-age=604800"})
