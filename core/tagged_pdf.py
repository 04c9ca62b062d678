"""Tagged PDF (pikepdf): WeasyPrint's running headers and page numbers marked as artifacts, and one tagged PDF put
together from parts, their structure trees joined under one Document element.

pypdf copies pages but not structure trees, so a merged document lost the tags its parts had. Here each part's
pages are copied, its structure elements become the kids of one Part element under the new Document, and its
parent tree (page and annotation keys to structure elements) is renumbered into one; role and class maps are
merged. An untagged part (an uploaded attachment) gets one Figure element per page, with alternative text that
names it, so that no content is left outside the structure tree.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

A4_WIDTH_PT = 595.28


@dataclass(frozen=True)
class PdfPart:
    """One part of a merged document: its PDF, its bookmark (nested under the last top-level one when `nested`),
    and for untagged content the alternative text of each page (`{page}` and `{pages}` filled in)."""

    data: bytes
    bookmark: str | None = None
    nested: bool = False
    figure_alt: str | None = None


def _number_tree(node: Any) -> Iterator[tuple[int, Any]]:
    """The (key, value) pairs of a PDF number tree, in key order."""
    if "/Nums" in node:
        numbers = node.Nums
        for index in range(0, len(numbers) - 1, 2):
            yield int(numbers[index]), numbers[index + 1]
    for kid in node.get("/Kids", []):
        yield from _number_tree(kid)


def _name_tree(node: Any) -> Iterator[tuple[str, Any]]:
    if "/Names" in node:
        names = node.Names
        for index in range(0, len(names) - 1, 2):
            yield str(names[index]), names[index + 1]
    for kid in node.get("/Kids", []):
        yield from _name_tree(kid)


def _resolve_named_destinations(part: Any) -> None:
    """Links to a named destination point at the page itself instead: names from different parts could clash
    (two case papers both have a heading "decision"), and the merged document keeps no name tree."""
    import pikepdf

    names = part.Root.get("/Names")
    tree = names.get("/Dests") if names is not None else None
    legacy = part.Root.get("/Dests")
    destinations: dict[str, Any] = {}
    if tree is not None:
        destinations.update(_name_tree(tree))
    if legacy is not None:
        destinations.update((str(key)[1:], value) for key, value in legacy.items())
    for page in part.pages:
        for annotation in page.obj.get("/Annots", []):
            target = annotation.get("/Dest")
            if isinstance(target, pikepdf.String | pikepdf.Name):
                key = str(target)[1:] if isinstance(target, pikepdf.Name) else str(target)
                explicit = destinations.get(key)
                if isinstance(explicit, pikepdf.Dictionary):
                    explicit = explicit.get("/D")
                if explicit is None:
                    del annotation["/Dest"]
                else:
                    annotation.Dest = explicit
    if names is not None and "/Dests" in names:
        del names["/Dests"]


def _reachable(root: Any) -> set[tuple[int, int]]:
    """The structure elements under `root`, by object number."""
    import pikepdf

    found: set[tuple[int, int]] = set()
    pending = [root.get("/K")]
    while pending:
        kids = pending.pop()
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kid.objgen not in found:
                found.add(kid.objgen)
                pending.append(kid.get("/K"))
    return found


def page_margins_as_artifacts(data: bytes) -> bytes:
    """The tagged PDF `data` with the content of its page margins (running header, page number) marked as
    pagination artifacts.

    WeasyPrint tags a margin box as a NonStruct element that names the document as its parent but that no element
    holds: outside the tree, a screen reader never reaches it and a checker finds marked content without a place
    in the structure. What repeats on every page is not content but pagination: an artifact."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None or "/ParentTree" not in root:
            return data
        reachable = _reachable(root)
        parent_tree = dict(_number_tree(root.ParentTree))
        changed = False
        for page in document.pages:
            key = page.obj.get("/StructParents")
            holders = parent_tree.get(int(key)) if key is not None else None
            if not isinstance(holders, pikepdf.Array):
                continue
            orphans = {
                index
                for index, holder in enumerate(holders)
                if isinstance(holder, pikepdf.Dictionary) and holder.objgen not in reachable
            }
            if not orphans:
                continue
            instructions: list[Any] = []
            for instruction in pikepdf.parse_content_stream(page):
                operands, operator = instruction.operands, instruction.operator
                if (
                    str(operator) == "BDC"
                    and isinstance(operands[1], pikepdf.Dictionary)
                    and int(operands[1].get("/MCID", -1)) in orphans
                ):
                    artifact = [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)]
                    instruction = pikepdf.ContentStreamInstruction(artifact, operator)
                instructions.append(instruction)
            page.obj.Contents = document.make_stream(pikepdf.unparse_content_stream(instructions))
            for index in orphans:
                holders[index] = None
            changed = True
        if not changed:
            return data
        output = io.BytesIO()
        document.save(output)
    return output.getvalue()


def _shift_struct_parents(page: Any, offset: int) -> None:
    if "/StructParents" in page.obj:
        page.obj.StructParents = int(page.obj.StructParents) + offset
    for annotation in page.obj.get("/Annots", []):
        if "/StructParent" in annotation:
            annotation.StructParent = int(annotation.StructParent) + offset


def _figure_page(document: Any, page: Any, parent: Any, key: int, alt: str) -> Any:
    """Mark the whole content of an untagged page as one Figure with `alt`, reachable from parent tree `key`."""
    import pikepdf

    content = b""
    if "/Contents" in page.obj:
        page.contents_coalesce()
        content = page.obj.Contents.read_bytes()
    page.obj.Contents = document.make_stream(b"/Figure <</MCID 0>> BDC\nq\n" + content + b"\nQ\nEMC\n")
    page.obj.StructParents = key
    figure = document.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem,
            S=pikepdf.Name.Figure,
            P=parent,
            Pg=page.obj,
            K=0,
            Alt=pikepdf.String(alt),
        )
    )
    # Annotations of an uploaded file (its links, notes) stay outside the structure: they are hidden from the
    # reading order rather than read without context.
    for annotation in page.obj.get("/Annots", []):
        if "/StructParent" in annotation:
            del annotation["/StructParent"]
    return figure


def _stamp(document: Any, page: Any, stamp: Any, index: int) -> None:
    """Lay `stamp` (a page of another PDF, copied in) over `page` at its lower right, as a pagination artifact."""
    import pikepdf

    form = document.copy_foreign(stamp.as_form_xobject())
    name = pikepdf.Name(f"/PageStamp{index}")
    if "/Resources" not in page.obj:
        page.obj.Resources = pikepdf.Dictionary()
    if "/XObject" not in page.obj.Resources:
        page.obj.Resources.XObject = pikepdf.Dictionary()
    page.obj.Resources.XObject[name] = form
    box = page.mediabox
    shift_x, shift_y = float(box[2]) - A4_WIDTH_PT, float(box[1])
    page.contents_add(document.make_stream(b"q\n"), prepend=True)
    page.contents_add(
        document.make_stream(
            b"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq 1 0 0 1 %.3f %.3f cm %s Do Q\nEMC\n"
            % (shift_x, shift_y, str(name).encode())
        ),
        prepend=False,
    )


def tagged_merge(
    parts: Sequence[PdfPart],
    *,
    like: bytes,
    title: str,
    conformance: Literal["A", "B"] | None,
    stamps: bytes | None = None,
) -> bytes:
    """The parts as one tagged PDF, with the archival catalogue entries of ``like`` (a part rendered by
    html_to_pdf: XMP metadata, sRGB output intent, /Lang), ``title`` in the XMP and the document information,
    bookmarks for the parts that name one, and each page of ``stamps`` laid over the page of the same number.

    ``conformance`` is the PDF/A-3 level the document declares; None declares no PDF/A at all (a part could not
    be made archival, and the document must not claim what it is not)."""
    import pikepdf

    document = pikepdf.new()
    document_element = document.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document))
    tree_root = document.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=document_element))
    document_element.P = tree_root
    role_map, class_map = pikepdf.Dictionary(), pikepdf.Dictionary()
    parent_tree: list[tuple[int, Any]] = []
    next_key = 0
    kids = pikepdf.Array()
    starts: list[int] = []
    for part in parts:
        with pikepdf.open(io.BytesIO(part.data)) as source:
            starts.append(len(document.pages))
            tagged = "/StructTreeRoot" in source.Root and part.figure_alt is None
            if tagged:
                _resolve_named_destinations(source)
            element = document.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.StructElem, S=pikepdf.Name.Part, P=document_element, K=pikepdf.Array()
                )
            )
            kids.append(element)
            if tagged:
                offset = next_key
                for page in source.pages:
                    _shift_struct_parents(page, offset)
                highest = -1
                for key, _value in _number_tree(source.Root.StructTreeRoot.get("/ParentTree", pikepdf.Dictionary())):
                    highest = max(highest, key)
                for page in source.pages:
                    document.pages.append(page)
                # Copied after the pages, so that /Pg and /Obj point at the copies already made.
                copied = document.copy_foreign(source.Root.StructTreeRoot)
                top = copied.get("/K", pikepdf.Array())
                top = top if isinstance(top, pikepdf.Array) else pikepdf.Array([top])
                for child in top:  # a part's own Document element gives way to the merged document's
                    grandchildren = child.get("/K", pikepdf.Array()) if child.get("/S") == "/Document" else [child]
                    if not isinstance(grandchildren, pikepdf.Array):
                        grandchildren = pikepdf.Array([grandchildren])
                    for grandchild in grandchildren:
                        if isinstance(grandchild, pikepdf.Dictionary):
                            grandchild.P = element
                        element.K.append(grandchild)
                for key, value in _number_tree(copied.get("/ParentTree", pikepdf.Dictionary())):
                    parent_tree.append((key + offset, value))
                for name, mapping in (("/RoleMap", role_map), ("/ClassMap", class_map)):
                    for role, target in copied.get(name, pikepdf.Dictionary()).items():
                        mapping[role] = target
                next_key = max(next_key, offset + highest + 1)
            else:
                count = len(source.pages)
                for number, page in enumerate(source.pages, start=1):
                    document.pages.append(page)
                    copy = document.pages[-1]
                    alt = (part.figure_alt or part.bookmark or "").format(page=number, pages=count)
                    element.K.append(_figure_page(document, copy, element, next_key, alt))
                    parent_tree.append((next_key, pikepdf.Array([element.K[-1]])))
                    next_key += 1
    document_element.K = kids
    tree_root.ParentTree = document.make_indirect(
        pikepdf.Dictionary(Nums=pikepdf.Array([item for key, value in sorted(parent_tree) for item in (key, value)]))
    )
    tree_root.ParentTreeNextKey = next_key
    if role_map:
        tree_root.RoleMap = role_map
    if class_map:
        tree_root.ClassMap = class_map
    document.Root.StructTreeRoot = tree_root
    document.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    document.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)

    if stamps is not None:
        with pikepdf.open(io.BytesIO(stamps)) as stamp_pdf:
            for index, (page, stamp) in enumerate(zip(document.pages, stamp_pdf.pages, strict=True)):
                _stamp(document, page, stamp, index)

    with document.open_outline() as outline:
        parent = None
        for part, start in zip(parts, starts, strict=True):
            if part.bookmark is None:
                continue
            item = pikepdf.OutlineItem(part.bookmark, start)
            if part.nested and parent is not None:
                parent.children.append(item)
            else:
                outline.root.append(item)
                parent = item

    with pikepdf.open(io.BytesIO(like)) as model:
        version = max(model.pdf_version, "1.7")  # PDF/A-3 is ISO 32000-1, PDF 1.7
        for name in ("/OutputIntents", "/Metadata"):
            document.Root[name] = document.copy_foreign(model.make_indirect(model.Root[name]))
        if "/Lang" in model.Root:
            document.Root.Lang = model.Root.Lang
    for entry in list(document.docinfo.keys()):
        del document.docinfo[entry]
    with document.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = title
        if conformance is None:
            for claim in ("pdfaid:part", "pdfaid:conformance"):
                if claim in xmp:
                    del xmp[claim]
        else:
            xmp["pdfaid:part"] = "3"
            xmp["pdfaid:conformance"] = conformance
    output = io.BytesIO()
    document.save(output, min_version=version)
    return output.getvalue()
