"""Files the demo attaches to its release, drawn with Pillow at run time so the package carries
no binary samples: a lead photo-like picture and a few-page annual report PDF."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

LEAD_IMAGE = "jaarverslag-2025.jpg"
REPORT_PDF = "jaarverslag-2025.pdf"

# The front-matter block the demo adds to its copy of the sample release: the same format an
# author writes (see README, "Images and documents").
FRONT_MATTER = f"""media:
  - file: {LEAD_IMAGE}
    role: lead
    alt:
      nl: Het ministerie aan de Karmelietenstraat bij zonsopgang, met de Belgische vlag op het dak
      fr: Le ministère rue des Petits Carmes au lever du soleil, drapeau belge sur le toit
    caption:
      nl: Het hoofdgebouw van het ministerie in Brussel
      fr: Le bâtiment principal du ministère à Bruxelles
    credit: "© FOD Buitenlandse Zaken / SPF Affaires étrangères"
  - file: {REPORT_PDF}
    role: document
    title:
      nl: Jaarverslag 2025 (volledige tekst)
      fr: Rapport annuel 2025 (texte intégral)
"""


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def lead_image(width: int = 1800, height: int = 1200) -> bytes:
    """A dawn sky over a building with a flag: a gradient, a few shapes, soft light. JPEG."""
    sky = Image.linear_gradient("L").resize((width, height))
    top, bottom = (38, 62, 120), (246, 182, 120)
    image = Image.merge("RGB", [sky.point(lambda v, a=a, b=b: a + (b - a) * v // 255)
                                for a, b in zip(top, bottom)])
    draw = ImageDraw.Draw(image)
    sun = (int(width * 0.72), int(height * 0.62), int(height * 0.12))
    draw.ellipse((sun[0] - sun[2], sun[1] - sun[2], sun[0] + sun[2], sun[1] + sun[2]), fill=(255, 226, 160))
    image = image.filter(ImageFilter.GaussianBlur(radius=height // 60))
    draw = ImageDraw.Draw(image)
    ground = int(height * 0.78)
    left, right = int(width * 0.18), int(width * 0.62)
    draw.rectangle((0, ground, width, height), fill=(52, 58, 64))
    draw.rectangle((left, int(height * 0.40), right, ground), fill=(214, 206, 190))
    draw.polygon([(left - 20, int(height * 0.40)), ((left + right) // 2, int(height * 0.28)),
                  (right + 20, int(height * 0.40))], fill=(170, 160, 146))
    columns = 8
    for n in range(columns):  # windows, three rows
        x = left + 30 + n * (right - left - 60) // columns
        for y in (0.46, 0.56, 0.66):
            draw.rectangle((x, int(height * y), x + (right - left) // (columns * 2), int(height * (y + 0.06))),
                           fill=(92, 104, 122))
    pole_x, pole_top = (left + right) // 2, int(height * 0.12)
    draw.line((pole_x, pole_top, pole_x, int(height * 0.28)), fill=(60, 60, 60), width=6)
    stripe = width // 60
    for index, colour in enumerate([(20, 20, 20), (253, 218, 36), (239, 51, 64)]):
        draw.rectangle((pole_x + 3 + index * stripe, pole_top, pole_x + 3 + (index + 1) * stripe,
                        pole_top + int(stripe * 2.2)), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=86, optimize=True, progressive=True)
    return out.getvalue()


def annual_report_pdf(pages: int = 3) -> bytes:
    """A short annual report as an A4 PDF of `pages` pages: a cover, then key figures."""
    size = (1240, 1754)  # A4 at 150 dpi
    title, body = _font(64), _font(30)
    sheets = []
    for number in range(1, pages + 1):
        page = Image.new("RGB", size, "white")
        draw = ImageDraw.Draw(page)
        draw.rectangle((0, 0, size[0], 260), fill=(38, 62, 120))
        draw.text((90, 90), "Jaarverslag 2025", font=title, fill="white")
        # The default font has no accented letters: the French name would show boxes.
        draw.text((90, 180), "FOD Buitenlandse Zaken", font=body, fill=(220, 228, 240))
        lines = (["Diplomatie in een veranderende wereld", "", "41.200 consulaire dossiers (+12 %)",
                  "3 evacuatieoperaties, 1.340 landgenoten thuis", "18 economische missies"]
                 if number == 1 else [f"Hoofdstuk {number}", "", "Het diplomatieke netwerk van 122 posten",
                                      "stond burgers, bedrijven en partners bij."])
        for row, line in enumerate(lines):
            draw.text((90, 360 + row * 56), line, font=body, fill=(30, 30, 30))
        draw.text((size[0] - 160, size[1] - 90), f"{number} / {pages}", font=body, fill=(120, 120, 120))
        sheets.append(page)
    out = io.BytesIO()
    sheets[0].save(out, "PDF", resolution=150.0, save_all=True, append_images=sheets[1:],
                   title="Jaarverslag 2025", author="FOD Buitenlandse Zaken")
    return out.getvalue()


def write_samples(directory: Path) -> list[Path]:
    """The demo's files, written into `directory` next to its release file."""
    written = []
    for name, data in ((LEAD_IMAGE, lead_image()), (REPORT_PDF, annual_report_pdf())):
        path = directory / name
        path.write_bytes(data)
        written.append(path)
    return written


def with_media(front_matter_text: str) -> str:
    """A release file's text with the demo's `media:` block added to its front matter."""
    head, separator, rest = front_matter_text.partition("\n---\n")
    if not separator:
        raise ValueError("the release file has no closing front-matter line")
    return f"{head}\n{FRONT_MATTER.rstrip()}\n---\n{rest}"
