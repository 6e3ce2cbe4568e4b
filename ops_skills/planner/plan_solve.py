"""Solving a ``plan_model.Network``: a min-cost flow whose arcs cost a tuple of integers, compared
in order, with the ties left after the last one broken by the order of the arcs.

OR-Tools' ``SimpleMinCostFlow`` (compiled cost scaling) does the work, on 64-bit costs that it
multiplies by the number of nodes. The preferences of a plan do not fit in one such number (one
digit per preference, each as wide as its largest sum over a plan: about 170 bits for 2,000
people and 5,000 skills), so they are solved a few digits at a time, most important first:

1. Pack the next digits into one cost, as a mixed-radix number whose radix per digit exceeds the
   most that digit's sum can differ between two flows, as long as it fits; solve.
2. Take node potentials from that optimal flow (shortest distances in its residual network).
   By complementary slackness every optimal flow leaves the arcs of positive reduced cost empty
   and fills those of negative reduced cost; only the arcs of zero reduced cost may differ. So
   fix the former, move the filled arcs' flow into the supplies, and keep the rest.
3. Solve the next digits on the arcs kept, and so on. What is left after the last digit is the
   set of all the lexicographic optima.

Among those, the flow that carries the most on the first arc, then on the second, and so on, is
unique; ``_most_on_first_arcs`` finds it by pushing flow around cycles of the arcs kept (every
such cycle costs nothing). Arcs on no such cycle (in different strongly connected components of
the residual network) cannot change and are skipped. So the answer depends on the network only,
not on which optimum the solver happened to reach first.
"""

from __future__ import annotations

from collections import deque

from ortools.graph.python import min_cost_flow

from ops_skills.planner.plan_model import Network

_INT64_MAX = 2**63 - 1


def solve(g: Network) -> list[int]:
    """The flow on each arc of ``g``: optimal digit by digit, then most on the first arcs."""
    n = len(g.nodes)
    flows = [0] * len(g.tails)
    supplies = [0] * n
    for node, supply in g.supplies.items():
        supplies[node] = supply
    free = [a for a, cap in enumerate(g.capacities) if cap > 0]
    columns = list(zip(*g.costs, strict=True))  # digit -> its value on each arc
    solved = False
    for places in _stages(g, columns, n):
        costs = [0] * len(free)
        for d, place in places:
            column = columns[d]
            costs = [cost + column[a] * place for cost, a in zip(costs, free, strict=True)]
        if not any(costs):
            continue
        x = _min_cost_flow(g, n, free, costs, supplies)
        solved = True
        potential = _potentials(g, n, free, costs, x)
        kept = []
        for a, cost, f in zip(free, costs, x, strict=True):
            tail, head = g.tails[a], g.heads[a]
            reduced = cost + potential[tail] - potential[head]
            if reduced > 0:
                flows[a] = 0
            elif reduced < 0:
                flows[a] = g.capacities[a]
                supplies[tail] -= flows[a]
                supplies[head] += flows[a]
            else:
                flows[a] = f
                kept.append(a)
        free = kept
    if not solved:  # no arc costs anything: any feasible flow will do to start from
        for a, f in zip(free, _min_cost_flow(g, n, free, [0] * len(free), supplies), strict=True):
            flows[a] = f
    _most_on_first_arcs(g, n, free, flows)
    return flows


def _stages(g: Network, columns: list[tuple[int, ...]], nodes: int) -> list[list[tuple[int, int]]]:
    """The digits in runs, each run as (digit, place value) pairs: as many consecutive digits as
    fit OR-Tools' range once it has multiplied them by (nodes + 1), with one node to spare.
    A digit's radix is one more
    than the largest sum it can reach over a flow, or twice that plus one when it can be
    negative, so that a change of one in a digit outweighs any change in those after it."""
    count = len(g.bounds)
    lowest = [min(column) for column in columns] if columns else [0] * count
    radix = [(2 if lowest[d] < 0 else 1) * g.bounds[d] + 1 for d in range(count)]
    limit = _INT64_MAX // (nodes + 2)
    stages = []
    first = 0
    while first < count:
        last, span = first, g.bounds[first] + 1  # the first digit's sum, times the places below it
        while last + 1 < count and span * radix[last + 1] <= limit:
            last += 1
            span *= radix[last]
        if span > limit:
            raise OverflowError(f"digit {first} is too wide for 64-bit costs: {g.bounds[first]}")
        places = []
        place = 1
        for d in range(last, first - 1, -1):
            places.append((d, place))
            place *= radix[d]
        stages.append(places[::-1])
        first = last + 1
    return stages


def _min_cost_flow(g: Network, n: int, arcs: list[int], costs: list[int], supplies: list[int]) -> list[int]:
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.set_nodes_supplies(range(n), supplies)  # every node, even one without arcs
    if arcs:
        solver.add_arcs_with_capacity_and_unit_cost(
            [g.tails[a] for a in arcs], [g.heads[a] for a in arcs], [g.capacities[a] for a in arcs], costs
        )
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow: {status.name}")
    return solver.flows(range(len(arcs))).tolist() if arcs else []


def _potentials(g: Network, n: int, arcs: list[int], costs: list[int], x: list[int]) -> list[int]:
    """Shortest distances in the residual network of the optimal flow ``x`` from a root joined
    to every node (so all start at 0); it has no negative cycle since ``x`` is optimal. With them
    every residual arc has a reduced cost of 0 or more. Bellman–Ford with a queue."""
    out: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for a, cost, f in zip(arcs, costs, x, strict=True):
        tail, head = g.tails[a], g.heads[a]
        if f < g.capacities[a]:
            out[tail].append((head, cost))
        if f > 0:
            out[head].append((tail, -cost))
    distance = [0] * n
    queued = [True] * n
    queue = deque(range(n))
    while queue:
        u = queue.popleft()
        queued[u] = False
        du = distance[u]
        for v, cost in out[u]:
            if du + cost < distance[v]:
                distance[v] = du + cost
                if not queued[v]:
                    queued[v] = True
                    queue.append(v)
    return distance


def _most_on_first_arcs(g: Network, n: int, arcs: list[int], flows: list[int]) -> None:
    """Among the flows that agree with ``flows`` off ``arcs`` (all optimal), move ``flows`` to
    the one with the most on the first of ``arcs``, then the second, and so on."""
    incident: list[list[int]] = [[] for _ in range(n)]
    for a in arcs:
        incident[g.tails[a]].append(a)
        incident[g.heads[a]].append(a)
    component = _components(g, n, arcs, flows, incident)
    frozen = set()
    for a in arcs:
        tail, head = g.tails[a], g.heads[a]
        while flows[a] < g.capacities[a] and component[tail] == component[head]:
            frozen.add(a)  # the path back may not use the arc itself
            path = _residual_path(g, head, tail, incident, flows, frozen, component)
            if path is None:
                break
            room = g.capacities[a] - flows[a]
            for b, forward in path:
                room = min(room, g.capacities[b] - flows[b] if forward else flows[b])
            flows[a] += room
            for b, forward in path:
                flows[b] += room if forward else -room
        frozen.add(a)


def _residual_path(g, source, target, incident, flows, frozen, component) -> list[tuple[int, bool]] | None:
    """Arcs (arc, forward) of a shortest residual path from ``source`` to ``target`` avoiding
    ``frozen`` arcs, or None. Both are in one strongly connected component, and so is any path
    from one to the other."""
    inside = component[source]
    via: dict[int, tuple[int, bool]] = {source: (-1, True)}
    queue = deque([source])
    while queue:
        u = queue.popleft()
        for b in incident[u]:
            if b in frozen:
                continue
            if g.tails[b] == u and flows[b] < g.capacities[b]:
                v, forward = g.heads[b], True
            elif g.heads[b] == u and flows[b] > 0:
                v, forward = g.tails[b], False
            else:
                continue
            if v in via or component[v] != inside:
                continue
            via[v] = (b, forward)
            if v == target:
                path = []
                while v != source:
                    b, forward = via[v]
                    path.append((b, forward))
                    v = g.tails[b] if forward else g.heads[b]
                return path[::-1]
            queue.append(v)
    return None


def _components(g, n, arcs, flows, incident) -> list[int]:
    """Strongly connected components of the residual network on ``arcs`` (Tarjan, iterative)."""
    index = [-1] * n
    low = [0] * n
    component = [-1] * n
    on_stack = [False] * n
    stack: list[int] = []
    counter = 0

    def successors(u):
        for b in incident[u]:
            if g.tails[b] == u and flows[b] < g.capacities[b]:
                yield g.heads[b]
            elif g.heads[b] == u and flows[b] > 0:
                yield g.tails[b]

    for root in range(n):
        if index[root] >= 0:
            continue
        work = [(root, successors(root))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            u, it = work[-1]
            for v in it:
                if index[v] < 0:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack[v] = True
                    work.append((v, successors(v)))
                    break
                if on_stack[v]:
                    low[u] = min(low[u], index[v])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[u])
                if low[u] == index[u]:
                    while True:
                        v = stack.pop()
                        on_stack[v] = False
                        component[v] = u
                        if v == u:
                            break
    return component
