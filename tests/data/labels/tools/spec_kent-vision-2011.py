SECTIONS = [
    dict(
        heading="1. Foreword",
        a=1,
        b=30,
        codes="h n n n n n n c n n n c n Lc Lc Lc c n c c c c c c n n n",
    ),
    dict(
        heading="2. New ways of working",
        a=31,
        b=56,
        join=[8, 19],
        codes="h n n n n n n n n n c n c n c n Lc Lc Lc Lc Lc Lc Lc Lc m",
    ),
    dict(
        heading="Ambition 1",
        a=241,
        b=389,
        join=[89, 73, 64],
        codes="0:h 1:Oc 2:Oc 3:h 4:c 5:c 6:n 7:c 8-10:n 11-12:h 13-19:Ln 20:h 21-25:n 26:h 27-32:n 33-34:h 35-41:Lc 42:h 43-47:Lc "
        "48:h 49-52:Lc 53-54:h 55-56:n 57:h 58-61:c 62:h 63:n 64-87:Lc",
    ),
    dict(
        heading="5. This is Kent",
        a=649,
        b=704,
        join=[23, 25],
        split={
            7: ["7 of them"],
            21: ["Kent benefits from", "Kent is a collection", "Kent has 101"],
        },
        codes="0:h 1-2:n 3:h 4-5:n 6:h 7:n 8-19:Ln 20:h 21-25:Ln 26-34:n",
    ),
    dict(
        heading="Annex 1 Performance Management",
        a=745,
        b=827,
        codes="h n n n c n n c c n h n Lc*10 h n n c n h Lm*5 h Lm*5 h Lm*5 h n n n Ln Ln n Ln n n",
    ),
    dict(heading="Kent County Council", a=841, b=851, codes="h n c c c n c c n n"),
]
