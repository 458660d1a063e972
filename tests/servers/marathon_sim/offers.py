"""Resource offers: --agents agents (eight by default) of a fixed size (--agent-cpus/--agent-mem/--agent-disk) offer
their resources to apps waiting in the launch queue. An app that needs more than any agent
has is never placed; the queue then shows why, the way Marathon's offer matcher counts it
(processedOffersSummary with rejectSummaryLastOffers/LaunchAttempt, lastUnusedOffers).
Resources used by running tasks are not subtracted: an agent fits a task or it never does."""

from .util import now_iso

# Marathon's reasons, in the order its matcher checks an offer: an offer declined by one
# reason is not processed by the later ones.
REASONS = ("UnfulfilledRole", "UnfulfilledConstraint", "NoCorrespondingReservationFound",
           "AgentMaintenance", "InsufficientCpus", "InsufficientMemory", "InsufficientDisk",
           "InsufficientGpus", "InsufficientPorts", "DeclinedScarceResources")


def agent_id(n):
    """Agent N's id (1-based), the same in Marathon's tasks and offers and in Mesos."""
    return "5e1c0f5e-0000-4000-8000-00000000000%d-S%d" % (n % 10, n)


class OfferStats:
    """What the matcher did with one app's offers since it entered the queue."""

    def __init__(self):
        self.processed = 0
        self.unused = 0
        self.last_unused_at = None
        self.last_used_at = None
        self.reasons = {r: [0, 0] for r in REASONS}   # reason -> [declined, processed]
        self.last_unused = []                            # newest offers that did not fit
        self.next_round = 0.0                           # monotonic time of the next offer round

    def summary(self):
        s = {"processedOffersCount": self.processed, "unusedOffersCount": self.unused}
        if self.last_unused_at:
            s["lastUnusedOfferAt"] = self.last_unused_at
        if self.last_used_at:
            s["lastUsedOfferAt"] = self.last_used_at
        if self.processed:
            rows = [{"reason": r, "declined": d, "processed": p} for r, (d, p) in self.reasons.items()]
            s["rejectSummaryLastOffers"] = rows
            s["rejectSummaryLaunchAttempt"] = [dict(x) for x in rows]
        return s


class OffersMixin:
    """Sim methods that match agents' offers against an app's resources."""

    def agent_resources(self):
        return {"cpus": self.o.agent_cpus, "mem": self.o.agent_mem, "disk": self.o.agent_disk, "gpus": 0}

    def offer_rejection(self, d):
        """The first reason an agent's offer does not fit app definition d (None: it fits)."""
        have = self.agent_resources()
        for reason, key in (("InsufficientCpus", "cpus"), ("InsufficientMemory", "mem"),
                            ("InsufficientDisk", "disk"), ("InsufficientGpus", "gpus")):
            if float(d.get(key) or 0) > have[key]:
                return reason
        return None

    def offer_json(self, n, reason, ts):
        res = [{"name": k, "scalar": v, "role": "*"} for k, v in self.agent_resources().items() if k != "gpus"]
        res.append({"name": "ports", "ranges": [{"begin": 31000, "end": 32000}], "role": "*"})
        return {"offer": {"id": "%s-O%d" % (agent_id(n), self.offer_seq()), "agentId": agent_id(n),
                          "hostname": self.o.agent_host_format % n, "resources": res, "attributes": []},
                "timestamp": ts, "reason": [reason]}

    def offer_seq(self):
        self.offers_made = getattr(self, "offers_made", 0) + 1
        return self.offers_made

    def offers_fit(self, app, now):
        """One round of offers (one per agent, at most every --offer-ms) for a waiting app;
        True when its tasks fit an agent."""
        st = app.offers
        reason = self.offer_rejection(app.d)
        if now < st.next_round:
            return reason is None
        st.next_round = now + self.o.offer_ms / 1000.0
        ts = now_iso()
        for n in range(1, self.o.agents + 1):
            st.processed += 1
            for r in REASONS:
                st.reasons[r][1] += 1
                if r == reason:
                    st.reasons[r][0] += 1
                    break
            if reason is None:
                st.last_used_at = ts
                break   # the first offer is used; the rest go to other frameworks
            st.unused += 1
            st.last_unused_at = ts
            st.last_unused = (st.last_unused + [self.offer_json(n, reason, ts)])[-self.o.agents:]
        return reason is None
