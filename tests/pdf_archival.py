"""Reading a PDF back as an archive would (pikepdf): PDF/A-3 identification, sRGB output intent, embedded fonts,
document language, title in XMP and document information alike, and for tagged PDF the structure tree."""

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


def assert_archival(data: bytes, *, language: str, tagged: bool = False) -> pikepdf.Pdf:
    pdf = pikepdf.open(io.BytesIO(data))
    xmp = pdf.open_metadata()
    assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "A" if tagged else "B")
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
        assert pdf.Root.MarkInfo.Marked
        assert len(pdf.Root.StructTreeRoot.K) > 0
    return pdf
