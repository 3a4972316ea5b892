"""Synthetic but realistic briefing packs for the export tests and ``bench/bench_export.py``.

The quotes are copied exactly from the sample Kent plans (curly apostrophes included), with
their sections and printed pages, so the packs look like what a clerk would hand out.
"""

from __future__ import annotations

from workbench.pack import (
    Citation,
    Evidence,
    LineageStep,
    Pack,
    PackItem,
    PackSelection,
    PageImage,
    StatusEntry,
)

FKF = "Framing Kent's Future"
RK = "Reforming Kent 2025-2028"
ISP = "Interim Strategic Plan"
FYP = "KCC 5 Year Plan (‘Kent’s Future – Our Priority’)"

FKF_NET_ZERO = (
    "Therefore, not only will KCC lead by example in working towards Net Zero across all of our "
    "areas of business by 2030, but we will grasp the opportunity to take a coordinated approach "
    "with partners across both the public and private sectors to meet the county's Net Zero "
    "ambitions."
)
FKF_NET_ZERO_2050 = "Our commitment is to work towards Kent being Net Zero by 2050."
FKF_PATHWAYS = (
    "Set detailed emission reduction pathways to Net Zero by 2050, with significant reductions "
    "by 2030."
)
RK_SCRAP = (
    "Scrap unattainable Net Zero 2030 and focus environment policy on direct benefits to Kent "
    "residents"
)
RK_RESCIND = (
    "We will rescind the County Councils Climate Emergency Declaration of 2019, which is "
    "scaring young people, adversely impacting on small businesses and stifling debate."
)
RK_FOREWORD = (
    "On the environment we will replace the Net Zero 2030 target with an energy efficiency plan "
    "focused on financial returns and investigate opportunities to create additional revenue "
    "streams, and we will rescind the County Council's climate emergency declaration which is "
    "stifling debate."
)
ISP_EMERGENCY = (
    "KCC has formally recognised the UK Climate Emergency, which poses a very real threat to "
    "quality of life now and for future generations."
)
FYP_NET_ZERO = (
    "We need to take an active community leadership role to accelerate our progress to meet the "
    "net zero carbon commitments we have made with partners, to help contribute to national "
    "climate action and resilience."
)
FKF_EMERGENCY = (
    "Since formally acknowledging the environment and climate emergency in 2019, KCC has been a "
    "key partner in projects to mitigate and adapt to the effects of climate change."
)

C_FKF_ENV = Citation(FKF, "Priority 3: Environmental step change", "19")
C_RK_AIM2 = Citation(RK, "AIM 2: REFORMING KENT COUNTY COUNCIL", "11")
C_RK_COMMIT = Citation(RK, "OUR COMMITMENTS TO OUR RESIDENTS ARE THAT WE WILL:", "5")
C_RK_FOREWORD = Citation(RK, "FOREWORD", "3")
C_ISP_ENV = Citation(ISP, "Environmental challenge", "16")
C_FYP_CLIMATE = Citation(FYP, "What could impact the 5 Year Plan? › Climate change", "11")

SELECTION = PackSelection(search="net zero", from_plan="framing-kents-future-2022",
                          to_plan="reforming-kent-2025", relation="reversed")


def net_zero_item() -> PackItem:
    return PackItem(
        key="6f1c2a4e-2d7b-4c39-9a51-0d7f3b1e5a10",
        heading="Net Zero for KCC’s own estate and services by 2030",
        quote=FKF_NET_ZERO,
        citation=C_FKF_ENV,
        lineage=(
            LineageStep(FYP, "2020-03", "draft", "first appears", FYP_NET_ZERO, C_FYP_CLIMATE,
                        True),
            LineageStep(FKF, "2022", "adopted", "strengthened", FKF_NET_ZERO, C_FKF_ENV, True),
            LineageStep(RK, "2025", "adopted", "reversed", RK_SCRAP, C_RK_COMMIT, True),
        ),
        statuses=(
            StatusEntry("On track", "2024-03-31", "Estate emissions down 60 % on the 2010 "
                        "baseline (annual carbon report).", "A. Clerk"),
            StatusEntry("Abandoned", "2025-09-30", "Target replaced by an energy efficiency "
                        "plan focused on financial returns.", "A. Clerk"),
        ),
        evidence=(
            Evidence(RK_FOREWORD, C_RK_FOREWORD),
            Evidence(RK_SCRAP, C_RK_COMMIT),
        ),
        notes="Reforming Kent replaces the 2030 target; no replacement date for the "
              "council’s own estate is given. Ask the Cabinet Member which baseline now applies.",
        rationale="The 2025 plan states the target is “unattainable” and scraps it outright: "
                  "a reversal, not a re-phasing.",
        tags=("climate", "net zero"),
        annotator="A. Clerk",
        relation="reversed",
        successor=RK_SCRAP,
        relation_confirmed=True,
    )


def emergency_item() -> PackItem:
    return PackItem(
        key="0b9e8d77-51a4-4f0f-8b8e-2f6a1c9d3e42",
        heading="The climate emergency declaration of 2019",
        quote=ISP_EMERGENCY,
        citation=C_ISP_ENV,
        lineage=(
            LineageStep(ISP, "2020", "adopted", "first appears", ISP_EMERGENCY, C_ISP_ENV),
            LineageStep(FKF, "2022", "adopted", "continued", FKF_EMERGENCY,
                        Citation(FKF, "Priority 3: Environmental step change", "20")),
            LineageStep(RK, "2025", "adopted", "reversed", RK_RESCIND, C_RK_AIM2, False),
        ),
        statuses=(
            StatusEntry("Rescinded", "2025-07-17", "Full Council motion carried.", "B. Officer"),
        ),
        evidence=(Evidence(RK_RESCIND, C_RK_AIM2),),
        notes="Confirm the date of the Full Council decision before circulating.",
        rationale="Rescinding a declaration reverses the 2019 decision that the two previous "
                  "plans relied on.",
        tags=("climate",),
        annotator="B. Officer",
        relation="reversed",
        successor=RK_RESCIND,
        relation_confirmed=False,
    )


def pathways_item() -> PackItem:
    return PackItem(
        key="a3d5f0c1-7e22-4b8e-9d0a-5c4b3a2f1e09",
        heading="Emission reduction pathways to Net Zero by 2050",
        quote=FKF_PATHWAYS,
        citation=C_FKF_ENV,
        lineage=(LineageStep(FKF, "2022", "adopted", "first appears", FKF_NET_ZERO_2050,
                             C_FKF_ENV),),
        statuses=(StatusEntry("Not started", "2025-09-30", "", "A. Clerk"),),
        tags=("climate",),
        annotator="A. Clerk",
    )


def sample_pack(**changes) -> Pack:
    fields = dict(
        title="Net Zero and the climate emergency: what changed in Reforming Kent",
        committee="Environment and Transport Cabinet Committee",
        author="A. Clerk, Democratic Services",
        date="2025-10-14",
        as_at="2025-09-30",
        selection=SELECTION,
        library_revision=412,
        app_version="0.1.0",
        items=(net_zero_item(), emergency_item(), pathways_item()),
    )
    fields.update(changes)
    return Pack(**fields)


MULTISCRIPT_QUOTES = {
    "latin": "Café, naïve façade — “smart” quotes, ‘single’ ones, œuvre, Ångström, Łódź ✓",
    "arabic": "سنعمل مع الشركاء لتحقيق صافي انبعاثات صفري",
    "hebrew": "נעבוד עם השותפים כדי להגיע לאפס פליטות נטו",
    "cjk": "我们将与合作伙伴一起实现净零排放",
    "greek_cyrillic": "Καθαρές μηδενικές εκπομπές · Нулевые выбросы",
    "devanagari": "हम शुद्ध शून्य उत्सर्जन प्राप्त करेंगे",
}


def multiscript_pack() -> Pack:
    items = []
    for n, (script, quote) in enumerate(MULTISCRIPT_QUOTES.items()):
        items.append(PackItem(
            key=f"ms-{n}",
            heading=f"Quote in {script}",
            quote=quote,
            citation=Citation("Translated summary", script, str(n + 1)),
            notes=f"Note in {script}: {quote}",
            tags=(script,),
        ))
    return sample_pack(title="Multi-script pack ✓", items=tuple(items))


HOSTILE = (
    "<b>bold?</b> </para> <img src=\"file:///etc/passwd\"> <a href=\"javascript:alert(1)\">x</a> "
    "]]> & &amp; <![CDATA[ x ]]> {{ }} \x00\x07\x1b\x7f\ufffe\uffff\ud800 lone "
    + "Supercalifragilisticexpialidocious" * 12
    + " مرحبا بالعالم ‮reversed‬ =cmd|'/C calc'!A0"
)


def hostile_pack() -> Pack:
    item = PackItem(
        key="hostile-1",
        heading="<h1>Injected heading</h1>",
        quote=HOSTILE,
        citation=Citation("<script>alert(1)</script>", "]]>", "&lt;"),
        lineage=(LineageStep("Plan <i>", "2025", "adopted", "=HYPERLINK(\"http://x\")",
                             HOSTILE, Citation("P&Q", "<s>", "1")),),
        statuses=(StatusEntry("+SUM(A1)", "2025-01-01", "-2+3", "@evil"),),
        evidence=(Evidence("<img src=\"file:///etc/hostname\">", Citation("E", "", "")),),
        notes=HOSTILE,
        rationale="=1+1",
        tags=("<b>", "=A1"),
        annotator="@annotator",
    )
    return sample_pack(title="Hostile <b>pack</b> & friends", committee="<i>Committee</i>",
                       items=(item,))


def tiny_png() -> bytes:
    """A valid 2×2 PNG built with zlib (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\xee\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pack_with_images() -> Pack:
    item = net_zero_item()
    return sample_pack(items=(item,), page_images=(
        PageImage(f"{C_FKF_ENV.text()} (highlighted passage)", tiny_png(), item.key),
        PageImage("An unplaced page", tiny_png()),
    ))


def long_pack(n_items: int = 30) -> Pack:
    """About one item per page: ``n_items`` variations of the three realistic items."""
    base = (net_zero_item(), emergency_item(), pathways_item())
    items = []
    for n in range(n_items):
        src = base[n % 3]
        items.append(PackItem(
            key=f"{src.key[:-4]}{n:04d}", heading=f"{src.heading} ({n + 1})", quote=src.quote,
            citation=src.citation, lineage=src.lineage, statuses=src.statuses,
            evidence=src.evidence, notes=src.notes, rationale=src.rationale, tags=src.tags,
            annotator=src.annotator, relation=src.relation, successor=src.successor,
        ))
    return sample_pack(items=tuple(items))
