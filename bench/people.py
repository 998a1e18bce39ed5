"""The catalogue, the companies and their people for one scale (bench.generate calls it).

Companies: exactly one of `big_company` employees (company 0), the others heavy-tailed
(Pareto) between 5 and 2 000 employees. In each company the admin is employee 0; the rest are
split into teams of 5–200 under a supervisor (a login); in the big company the first team has
exactly 200 (the bench supervisor). About 15 % of employees are budget holders with a login.
Every login holds the same password, hashed once."""

import random

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from bench.bulk import Copier, Progress, next_id, sequences_reset, text
from bench.catalogue import catalogue, prices_and_assortments
from bench.data import PASSWORD, Scale
from bench.world import FIRST, LAST, World
from kvote.budgets.models import Budget
from kvote.companies.models import ORG_NUMBER_WEIGHTS, ApprovalPolicy, Company, DeliveryAddress
from kvote.companies.periods import PeriodKind, period_containing
from kvote.people import roles
from kvote.people.models import Employee, User
from kvote.people.roles import Role

TRADES = ("Bygg", "Elektro", "Rør", "Transport", "Service")
BUDGET_AMOUNTS = (3000, 4000, 5000, 6000, 8000, 10000)


def company_sizes(rng: random.Random, scale: Scale) -> list[int]:
    """One company of `big_company`, the rest heavy-tailed in [5, cap], summing exactly."""
    rest, count = scale.employees - scale.big_company, scale.companies - 1
    cap = min(2000, scale.big_company - 1)
    raw = sorted((rng.paretovariate(1.2) for _ in range(count)), reverse=True)
    low, high = 0.0, float(rest)
    for _ in range(60):  # the factor that makes the clipped sizes add up
        factor = (low + high) / 2
        total = sum(min(cap, max(5, round(factor * r))) for r in raw)
        low, high = (factor, high) if total < rest else (low, factor)
    sizes = [min(cap, max(5, round(low * r))) for r in raw]
    step = 1 if sum(sizes) < rest else -1
    i = 0
    while sum(sizes) != rest:
        if 5 <= sizes[i % count] + step <= cap:
            sizes[i % count] += step
        i += 1
    rng.shuffle(sizes)
    return [scale.big_company, *sizes]


def team_sizes(rng: random.Random, members: int, first: int | None) -> list[int]:
    """Teams covering `members` employees: each a supervisor and 5–200 (mostly few) employees
    under them; `first` is the first team's number of supervised employees."""
    teams = [first + 1] if first else []
    left = members - sum(teams)
    while left >= 6:
        size = min(left, 6 + int(195 * rng.random() ** 4))
        if 0 < left - size < 6:
            size = left if left <= 201 else size - 6
        teams.append(size)
        left -= size
    if left and teams and teams[-1] + left <= 201:
        teams[-1] += left
    return teams


def org_number(n: int) -> str:
    base = 80000000 + n * 7
    while True:
        digits = f"{base:08d}"
        remainder = sum(int(d) * w for d, w in zip(digits, ORG_NUMBER_WEIGHTS, strict=True)) % 11
        if remainder != 1:
            return digits + str((11 - remainder) % 11)
        base += 1


def companies(rng: random.Random, scale: Scale, sizes: list[int]) -> list[Company]:
    kinds = [PeriodKind.YEAR] * 8 + [PeriodKind.HALF_YEAR, PeriodKind.QUARTER]
    policies = (
        [ApprovalPolicy.OVER_BUDGET] * 15 + [ApprovalPolicy.ALWAYS] * 3 + [ApprovalPolicy.NONE] * 2
    )
    rows = [
        Company(
            name=f"{rng.choice(LAST)} {rng.choice(TRADES)} {c} AS",
            org_number=org_number(c),
            customer_number=f"BENCH-{c:05d}",
            restrict_assortment=c > 0 and rng.random() < 0.1,
            budget_period=PeriodKind.YEAR if c == 0 else rng.choice(kinds),
            approval_policy=ApprovalPolicy.OVER_BUDGET if c == 0 else rng.choice(policies),
        )
        for c in range(len(sizes))
    ]
    found = Company.objects.bulk_create(rows, batch_size=2000)
    DeliveryAddress.objects.bulk_create(
        (
            DeliveryAddress(
                company=company,
                label=f"Lager {n + 1}",
                recipient_name="Varemottak",
                street=f"Industriveien {n + 1 + c % 90}",
                postal_code=f"{(c * 37 + n) % 9000 + 1000:04d}",
                city=rng.choice(("Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø")),
                is_default=n == 0,
            )
            for c, company in enumerate(found)
            for n in range(1 + c % 3)
        ),
        batch_size=5000,
    )
    return found


def generate(scale: Scale, seed: int) -> World:
    rng = random.Random(seed)
    world = World(companies=[])
    catalogue(rng, scale, world)
    sizes = company_sizes(rng, scale)
    world.companies = companies(rng, scale, sizes)
    prices_and_assortments(rng, world)
    _people(rng, scale, world, sizes)
    return world


def _people(rng: random.Random, scale: Scale, world: World, sizes: list[int]) -> None:
    password = make_password(PASSWORD)
    now = timezone.now()
    today = timezone.localdate()
    users = Copier(
        User,
        (
            "id",
            "password",
            "email",
            "full_name",
            "company_id",
            "is_supervisor",
            "is_approver",
            "is_company_admin",
            "date_joined",
        ),
    )
    employees = Copier(
        Employee,
        (
            "id",
            "created_at",
            "updated_at",
            "company_id",
            "number",
            "name",
            "user_id",
            "supervisor_id",
        ),
    )
    budgets = Copier(
        Budget,
        (
            "id",
            "created_at",
            "updated_at",
            "company_id",
            "employee_id",
            "period_start",
            "period_end",
            "amount",
        ),
    )
    employees.before_flush = users.flush  # rows referred to go first
    budgets.before_flush = employees.flush
    user_id, employee_id, budget_id = next_id(User), next_id(Employee), next_id(Budget)
    progress = Progress("people", scale.employees)
    for c, (company, size) in enumerate(zip(world.companies, sizes, strict=True)):
        period = period_containing(company.budget_period, today, company.budget_year_start)
        domain = f"c{c:04d}.bench.example"
        start = len(world.employee_ids)
        teams = team_sizes(rng, size - 1, 200 if c == 0 else None)
        # roles[i] for employee i of the company: (is admin, supervises team t or -1)
        supervisors = {}
        position = 1
        for t, team in enumerate(teams):
            supervisors[position] = t
            position += team
        team_of: list[int] = []
        for t, team in enumerate(teams):
            team_of += [t] * team
        leader_user: dict[int, int] = {}
        for i in range(size):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            own_user = 0
            supervisor = 0
            admin = i == 0
            leads = supervisors.get(i, -1)
            team = team_of[i - 1] if i > 0 else -1
            holder = not admin and leads < 0 and rng.random() < 0.15
            if admin or leads >= 0 or holder:
                own_user = user_id
                user_id += 1
                kind = "admin" if admin else "leder" if leads >= 0 else "ansatt"
                email = f"{kind}{i}@{domain}"
                users.write(
                    (
                        own_user,
                        password,
                        email,
                        name,
                        company.pk,
                        leads >= 0 or (admin and not teams),
                        leads >= 0 or admin,
                        admin,
                        now,
                    )
                )
                if admin:
                    world.company_admin.append(own_user)
                    if c == 0:
                        world.admin_email = email
                if leads >= 0:
                    leader_user[leads] = own_user
                if holder and c not in world.assortment and len(world.load_buyers) < 600 and c > 0:
                    world.load_buyers.append(email)
            if i > 0:
                supervisor = leader_user.get(team, 0) if leads < 0 else 0
                if not teams:
                    supervisor = world.company_admin[-1]
            eid = employee_id
            employee_id += 1
            employees.write(
                (
                    eid,
                    now,
                    now,
                    company.pk,
                    str(10000 + i),
                    name,
                    own_user or None,
                    supervisor or None,
                )
            )
            world.employees.append(f"{eid}\t{text(name)}\t{10000 + i}")
            world.employee_ids.append(eid)
            world.employee_company.append(c)
            world.employee_user.append(own_user)
            world.employee_supervisor.append(supervisor)
            in_bench_team = c == 0 and team == 0 and leads < 0
            if own_user or in_bench_team or rng.random() < 0.6:
                amount = 8000 if in_bench_team else rng.choice(BUDGET_AMOUNTS)
                budgets.write(
                    (budget_id, now, now, company.pk, eid, period.start, period.end, amount)
                )
                budget_id += 1
            if in_bench_team:
                world.team.append(len(world.employee_ids) - 1)
        world.company_range.append((start, len(world.employee_ids)))
        progress.step(size)
    for copier in (users, employees, budgets):
        copier.flush()
    progress.done()
    sequences_reset(User, Employee, Budget)
    world.users = user_id - 1
    _bench_roles(world)


def _bench_roles(world: World) -> None:
    """The logins and employees the latency run measures, all in the big company."""
    big = User.objects.filter(company=world.companies[0])
    leader = roles.with_any_role(big, Role.SUPERVISOR).order_by("id").first()
    assert leader is not None
    world.supervisor_email, world.supervisor_id = leader.email, leader.pk
    world.supervised = len(world.team)
    holders = [i for i in world.team if world.employee_user[i]]
    others = [i for i in world.team if not world.employee_user[i]]
    world.buyer_index, world.drilldown_index = holders[0], others[0]
    world.buyer_email = User.objects.get(pk=world.employee_user[holders[0]]).email
    world.drilldown_employee_id = world.employee_ids[others[0]]
    buyer_companies = set(
        User.objects.filter(email__in=world.load_buyers).values_list("company_id", flat=True)
    )
    world.load_approvers = list(
        roles.with_any_role(User.objects.filter(company_id__in=buyer_companies), Role.APPROVER)
        .order_by("company_id", "id")
        .values_list("email", flat=True)
    )
