"""The accounts `seed_scale` creates for the benchmarks to sign in as (bench/README.md lists what each sees).

A fixed interface: `make bench` and the deadline-peak scenario log in with these names and this password.
"""

PASSWORD = "bench-password-2026"

NATIONAL_ADMIN = "bench_national"  # admin of the national committee
PROVINCIAL_ADMIN = "bench_province"  # admin of 共青团安徽省委
CITY_ADMIN = "bench_city"  # admin of the 安庆 city committee
COUNTY_REVIEWER = "bench_county"  # reviewer at the 大观区 committee, with registrations and applications waiting

# Where the named staff act: (username, real name, role, region code of their league committee).
STAFF = [
    (NATIONAL_ADMIN, "团中央管理员", "admin", "100000"),
    (PROVINCIAL_ADMIN, "安徽省委管理员", "admin", "340000"),
    (CITY_ADMIN, "安庆市委管理员", "admin", "340800"),
    (COUNTY_REVIEWER, "大观区委审核员", "reviewer", "340803"),
]

REVIEWERS = 20  # bench_reviewer_01 … _20, at 20 other county committees of 安徽
EXPERTS = 30  # bench_expert_01 … _30, experts of the national round in review
LEADERS = 200  # bench_leader_0001 … _0200, 号长 of collectives eligible for the open 安庆 round


def reviewer(number):
    return f"bench_reviewer_{number:02d}"


def expert(number):
    return f"bench_expert_{number:02d}"


def leader(number):
    return f"bench_leader_{number:04d}"


REVIEWER_NAMES = [reviewer(n) for n in range(1, REVIEWERS + 1)]
EXPERT_NAMES = [expert(n) for n in range(1, EXPERTS + 1)]
LEADER_NAMES = [leader(n) for n in range(1, LEADERS + 1)]
