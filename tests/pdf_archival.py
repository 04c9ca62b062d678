"""Reading a PDF back as an archive would (pikepdf): PDF/A-3 identification, sRGB output intent, embedded fonts,
document language, title in XMP and document information alike, and for tagged PDF the structure tree: every
structure element reachable from the root, every page's and link's parent-tree key resolving to the elements that
hold its marked content, and no content painted outside marked content."""

import io

import pikepdf


def _fonts(resources) -> list:
    found = []
    for font in (resources.get("/Font") or {}).values():
        found.append(font)
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            found += _fonts(xobject.Resources)
    return found


def assert_archival(data: bytes, *, language: str, tagged: bool = False, conformance: str | None = None) -> pikepdf.Pdf:
    """Checks `data` as an archive would; `conformance` is the PDF/A-3 level declared (A for tagged documents and
    B for others unless said)."""
    pdf = pikepdf.open(io.BytesIO(data))
    assert pdf.pdf_version >= "1.7"  # PDF/A-2 and -3 stand on PDF 1.7
    xmp = pdf.open_metadata()
    assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", conformance or ("A" if tagged else "B"))
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and "sRGB" in str(intent.OutputConditionIdentifier)
    assert len(intent.DestOutputProfile.read_bytes()) > 1000  # the ICC profile itself
    fonts = [font for page in pdf.pages for font in _fonts(page.Resources)]
    assert fonts
    for font in fonts:
        descriptor = (font.DescendantFonts[0] if font.Subtype == "/Type0" else font).FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font.get("/BaseFont")
    assert str(pdf.Root.Lang) == language
    assert xmp["dc:title"] and str(pdf.docinfo.Title) == xmp["dc:title"]
    for key, name in (("/Producer", "pdf:Producer"), ("/Creator", "xmp:CreatorTool")):
        if key in pdf.docinfo:  # PDF/A: the document information agrees with the XMP
            assert str(pdf.docinfo[key]) == str(xmp[name]), key
    if tagged:
        assert_structure(pdf)
    return pdf


def _number_tree(node) -> list[tuple[int, object]]:
    found = []
    numbers = node.get("/Nums", [])
    for index in range(0, len(numbers), 2):
        found.append((int(numbers[index]), numbers[index + 1]))
    for kid in node.get("/Kids", []):
        found += _number_tree(kid)
    return found


def structure_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element under the root, depth first (reading order)."""
    found: list[pikepdf.Dictionary] = []

    def walk(kids, parent) -> None:
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type", pikepdf.Name.StructElem) == "/StructElem":
                assert kid.P.objgen == parent.objgen, "an element's /P is the element that holds it"
                found.append(kid)
                walk(kid.get("/K", pikepdf.Array()), kid)

    walk(pdf.Root.StructTreeRoot.K, pdf.Root.StructTreeRoot)
    return found


PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "BI"}


def _marked_content(page: pikepdf.Page) -> tuple[set[int], int]:
    """The MCIDs on a page and how many painting operators it has outside any marked content."""
    mcids, depth, unmarked = set(), 0, 0
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BDC", "BMC"):
            depth += 1
            if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcids.add(int(operands[1].MCID))
        elif name == "EMC":
            depth -= 1
        elif name in PAINTING and depth == 0:
            unmarked += 1
    return mcids, unmarked


def assert_structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """A tagged PDF whose parent tree agrees with its pages; returns its structure elements."""
    assert pdf.Root.MarkInfo.Marked
    root = pdf.Root.StructTreeRoot
    elements = structure_elements(pdf)
    assert elements
    in_tree = {element.objgen for element in elements}
    entries = _number_tree(root.ParentTree)
    keys = [key for key, _value in entries]
    assert len(keys) == len(set(keys)), "each parent-tree key once"
    tree = dict(entries)
    if "/ParentTreeNextKey" in root:  # optional; when given, above every key
        assert int(root.ParentTreeNextKey) > max(keys)
    used: set[int] = set()
    for number, page in enumerate(pdf.pages, start=1):
        mcids, unmarked = _marked_content(page)
        assert not unmarked, f"page {number} paints {unmarked} times outside marked content"
        if not mcids:
            continue
        key = int(page.obj.StructParents)
        used.add(key)
        holders = tree[key]
        for mcid in mcids:
            holder = holders[mcid]
            assert holder.objgen in in_tree, f"page {number}, MCID {mcid}: its element is not in the tree"
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                used.add(int(annotation.StructParent))
                assert tree[int(annotation.StructParent)].objgen in in_tree
    for element in elements:
        if "/Pg" in element:
            assert element.Pg.objgen in {page.obj.objgen for page in pdf.pages}, "an element's page is in the PDF"
    return elements
