"""How files are read and cut into passages: ingestion's section of the process settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ingest.ocr import MAX_PAGES, PAGE_SECONDS, OcrSettings

# Environment variable -> field (see docs/settings.md).
ENVIRONMENT: dict[str, str] = {
    "EVIDENCE_MAX_FILE_MB": "max_file_mb",
    "EVIDENCE_CHUNK_TOKENS": "chunk_tokens",
    "EVIDENCE_CHUNK_OVERLAP": "chunk_overlap",
    "EVIDENCE_FILE_SECONDS": "file_seconds",
    "EVIDENCE_FILE_MEMORY_MB": "file_memory_mb",
    "EVIDENCE_OCR": "ocr",
    "EVIDENCE_OCR_PAGE_SECONDS": "ocr_page_seconds",
    "EVIDENCE_OCR_MAX_PAGES": "ocr_max_pages",
}


class IngestSettings(BaseModel):
    """Limits and chunking for the ingestion job."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_file_mb: float = 100.0
    chunk_tokens: int = Field(default=180, ge=32, le=250)
    chunk_overlap: int = Field(default=30, ge=0, le=100)
    # Caps on reading one file (ingest/isolation.py): past either, the file is refused.
    file_seconds: float = Field(default=300.0, gt=0)
    file_memory_mb: int = Field(default=1024, ge=64)
    # Scanned pages (ingest/ocr.py): read by whichever engine is installed, else refused.
    ocr: Literal["off", "auto", "tesseract", "rapidocr"] = "auto"
    ocr_page_seconds: float = Field(default=PAGE_SECONDS, gt=0)
    ocr_max_pages: int = Field(default=MAX_PAGES, ge=1)

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def ocr_settings(self) -> OcrSettings:
        return OcrSettings(self.ocr, self.ocr_page_seconds, self.ocr_max_pages)

    @property
    def file_memory_bytes(self) -> int:
        return self.file_memory_mb * 1024 * 1024
