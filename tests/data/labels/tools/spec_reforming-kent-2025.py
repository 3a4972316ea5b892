SECTIONS = [
    dict(
        heading="FOREWORD",
        a=3,
        b=64,
        mode="line",
        md="long",
        codes="0:h 1-13:n 14-18:c 19:n 20-23:c 24:n 25:c 26:n 27:n 28-40:c 41:n 42:On 43:On",
    ),
    dict(
        heading="Introduction:",
        a=67,
        b=95,
        mode="line",
        md="long",
        codes="0:h 1-8:n 9:c 10:c 11:h 12:c 13:h 14-19:Lc",
    ),
    dict(
        heading="Reforming Kent – summary diagram:",
        a=96,
        b=158,
        mode="line",
        md="long",
        split={
            11: ["Reforming Kent County Council", "Supporting residents", "Building better"],
            18: ["Deliver improvements"],
            23: ["Embed a greater"],
            28: ["Support Kent Police"],
        },
        codes="0:h 1:h 2:Oc 3:h 4-9:Lc 10:h 11-14:Oc 15:h 16:Oc 17:Oc 18:Oa 19-39:Oc",
    ),
    dict(
        heading="AIM 1: PUTTING KENT RESIDENTS FIRST",
        a=159,
        b=207,
        mode="line",
        md="long",
        join=[19, 39, 42, 43],
        split={19: ["The pressure on KCC"]},
        codes="0:h 1:h 2:Hc 3-5:n 6:c 7:h 8:Lc 9:La 10:Lc 11:Hc 12-14:n 15:c 16:La 17:Lc 18:La 19:Ha 20:Nn 21:n 22:a 23:n 24-27:La 28:Hc "
        "29-31:n 32:La 33:Lc 34:Lc 35:Hc 36-39:n 40:n 41:Lc 42:Lt 43:Lc 44:La 45:Hc 46:n 47:n 48:c 49:n 50:n 51-54:Lc",
    ),
]
