SECTIONS = [
    dict(
        heading="Leader’s Foreword",
        a=1,
        b=168,
        mode="flow",
        split={0: ["The 5 Year Plan for Kent"]},
        codes="0:h 1-8:n 9:c 10-13:n 14:c 15:n 16:c 17:c 18:n 19:n 20:c 21:c 22:c 23:c 24:c 25-28:n 29:c 30:c 31:c 32-34:n 35:c 36:n 37:n "
        "38:c 39:c 40:n 41:n 42:c 43:c 44:c 45:n 46:c 47:On",
    ),
    dict(
        heading="How will we know we are making progress?",
        a=382,
        b=411,
        mode="flow",
        codes="0:h 1:n 2:n 3:c 4:c 5:n 6:c 7:n 8:c 9:n",
    ),
    dict(
        heading="Outcome 1: Enterprise and investment",
        a=719,
        b=835,
        mode="flow",
        join=[38],
        codes="0:h 1:h 2:c 3:h 4:n 5:c 6:c 7-9:n 10:c 11:n 12:c 13:c 14-16:n 17-19:c 20:h 21:Lc 22:h 23-25:Lc 26:h 27:a 28:c 29:c 30:a "
        "31:h 32:Lc 33:h 34:Lc 35:Lc 36:h 37:La 38:La",
    ),
    dict(
        heading="Sustaining Kent’s town centres",
        a=836,
        b=895,
        mode="flow",
        split={0: ["We want to work with partners to create"]},
        codes="0:h 1-6:c 7:n 8:c 9:h 10:Lc 11:h 12-15:Lc 16:h 17:La",
    ),
    dict(
        heading="How will we measure success?",
        a=4026,
        b=4119,
        mode="flow",
        split={21: ["KCC 5 YEAR PLAN", "service user engagement"]},
        codes="0:h 1:c 2:n 3:n 4-7:c 8:n 9:n 10:c 11:h 12:n 13:n 14:c 15:c 16-18:n 19:c 20:n 21:c 22:On 23-25:c 26:n 27:c 28:h 29:c 30:n 31:n 32:c 33-44:On",
    ),
]
