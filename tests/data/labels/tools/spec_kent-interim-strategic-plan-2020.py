SECTIONS = [
    dict(heading="Foreword", a=1, b=47, codes="0-7:n 8:c 9-16:n 17:c 18:c 19:h"),
    dict(
        heading="Financial challenge",
        a=272,
        b=396,
        l=True,
        split={
            19: ["The COVID-19 crisis has shown"],
            24: ["Deliver a balanced budget"],
            28: ["Stand up for Kent’s residents"],
        },
        codes="0:h 1-7:n 8:a 9:n 10:c 11:n 12-18:c 19:h 20:n 21:n 22:c 23:c 24:n 25:h 26:Hc 27-30:Lc 31:Hc 32-36:La 37:Hc 38-41:Lc 42:Hc 43-46:Lc 47:Lt",
    ),
    dict(
        heading="Economic challenge",
        a=397,
        b=600,
        l=True,
        split={17: ["to work more closely"], 25: ["Priority actions", "Deliver the Kent"]},
        drop=[26],
        codes="0:h 1-6:n 7-9:c 10-14:n 15:c 16:n 17:h 18:n 19:n 20:c 21:n 22:c 23-25:n 26:h 27:Hc 28-30:Lc 31:La 32:Lc 33:Hc 34-37:Lc 38:Hc "
        "39-42:Lc 43:Hc 44:Lc 45:La 46-49:Lc 50:Hc 51:La 52-56:Lc 57:Hc 58-64:Lc",
    ),
    dict(
        heading="How we will deliver the Interim Strategic Plan",
        a=1045,
        b=1080,
        l=True,
        split={0: ["The Interim Strategic Plan is"]},
        drop=[0],
        codes="0:Nn 1:c 2:Ln 3:Lc 4-7:c 8:n 9:h",
    ),
]
