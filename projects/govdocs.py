"""Government documents in Word and Excel: the styles of GB/T 9704 (fonts, margins, page numbers),
tables and sheets. Shared by the monthly bulletin (projects/services/bulletin.py) and the
year-end close-out list (projects/supervision/documents.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from projects.exports import safe_cell

# Government document fonts (GB/T 9704): the title in 小标宋 (宋体 where it is missing), headings
# in 黑体 and 楷体, the body in 仿宋; Latin letters and digits in Times New Roman.
TITLE_FONT, H1_FONT, H2_FONT, BODY_FONT, TABLE_FONT = "宋体", "黑体", "楷体", "仿宋", "宋体"
LATIN_FONT = "Times New Roman"


# --- Word ------------------------------------------------------------------------------------


def fonts(target: Any, *, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or a run's fonts; the East Asian one goes in w:eastAsia, which Word and
    LibreOffice use for Chinese characters (font.name alone sets only the Latin ones)."""
    font = target.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    element = target.element if hasattr(target, "element") else target._element
    rfonts = element.get_or_add_rPr().get_or_add_rFonts()
    # Theme fonts (in the built-in heading styles) would override the names set here.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attribute), None)
    rfonts.set(qn("w:eastAsia"), east_asia)


def paragraph_format(style: Any, *, indent: bool, spacing: float | None = 28, align: Any = None) -> None:
    pf = style.paragraph_format
    if spacing is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(spacing)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.first_line_indent = Pt(32) if indent else Pt(0)  # two characters of 三号 (16 pt)
    if align is not None:
        pf.alignment = align


def document_styles(doc: Any) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    fonts(normal, east_asia=BODY_FONT, size=16)
    paragraph_format(normal, indent=True)
    title = styles["Title"]
    fonts(title, east_asia=TITLE_FONT, size=22, bold=True)
    paragraph_format(title, indent=False, spacing=36, align=WD_ALIGN_PARAGRAPH.CENTER)
    # The built-in title has a bottom border; a government document's title has none.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    for name, font in (("Heading 1", H1_FONT), ("Heading 2", H2_FONT)):
        style = styles[name]
        fonts(style, east_asia=font, size=16, bold=False)
        style.font.italic = False
        paragraph_format(style, indent=True)
    table_text = styles.add_style("表格文字", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    fonts(table_text, east_asia=TABLE_FONT, size=10.5)
    paragraph_format(table_text, indent=False, spacing=None)
    table_text.paragraph_format.line_spacing = 1.15
    subtitle = styles.add_style("副标题", WD_STYLE_TYPE.PARAGRAPH)
    subtitle.base_style = normal
    fonts(subtitle, east_asia=H2_FONT, size=16)
    paragraph_format(subtitle, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)


def page_setup(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    # Page number in the footer, centred: — 1 —
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.style = doc.styles["表格文字"]
    footer.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" —")


def table(
    doc: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    centred: Sequence[int] = (),
) -> None:
    """A table in the document's table style; ``widths`` in millimetres (156 mm of text width);
    ``centred`` the columns whose cells are centred (figures, lights).

    Cells are filled in one pass, with the paragraph style set by its id: python-docx looks a style
    up by name by walking every style of the document, which made a province's bulletin (hundreds
    of red items) take most of a second (docs/performance.md)."""
    grid = doc.add_table(rows=1, cols=len(headers))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    style_id = doc.styles["表格文字"].style_id
    lengths = [Mm(w) for w in widths]

    def fill(cells: Sequence[Any], values: Sequence[Any], header: bool) -> None:
        for index, (cell, value, length) in enumerate(zip(cells, values, lengths, strict=True)):
            if header:
                cell.text = ""
            paragraph = cell.paragraphs[0]
            paragraph._p.style = style_id
            if header:
                fonts(paragraph.add_run(value), east_asia=H1_FONT, size=10.5)
            else:
                paragraph.add_run(str(value))
            # Widths on every cell (Word reads those) and on the grid below (LibreOffice reads these).
            cell.width = length
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            if header or index in centred:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    fill(grid.rows[0].cells, headers, header=True)
    # Repeat the header row on every page.
    tr_pr = grid.rows[0]._tr.get_or_add_trPr()
    header_flag = OxmlElement("w:tblHeader")
    header_flag.set(qn("w:val"), "true")
    tr_pr.append(header_flag)
    for values in rows:
        fill(grid.add_row().cells, values, header=False)
    grid.autofit = False
    for column, length in zip(grid.columns, lengths, strict=True):
        column.width = length
    doc.add_paragraph()


# --- Excel -----------------------------------------------------------------------------------

XLSX_FONT = "宋体"
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
THIN = Side(style="thin", color="A0A8B4")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
PERCENT_FORMAT = "0.00"


def number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int]):
    ws = wb.create_sheet(title)
    ws.append([safe_cell(h) for h in headers])
    for row in rows:
        ws.append([safe_cell(number(v) if isinstance(v, Decimal) else v) for v in row])
    for cell in ws[1]:
        cell.font = Font(name=XLSX_FONT, bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.font = Font(name=XLSX_FONT)
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(cell.value, str))
            if isinstance(cell.value, float):
                cell.number_format = PERCENT_FORMAT
    for row in ws.iter_rows():
        for cell in row:
            cell.border = BORDER
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    return ws
