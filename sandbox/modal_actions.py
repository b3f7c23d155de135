"""What a person does in a modal: submit it, type into a type-ahead menu, close it."""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

from sandbox import lookups, modals, payloads
from sandbox.blockkit import find_element
from sandbox.records import Delivery
from sandbox.signed_requests import SignedRequests

EXTERNAL_MENUS = ("external_select", "multi_external_select")


class ModalActions(SignedRequests):
    """view_submission, block_suggestion and view_closed, with the stack kept as Slack keeps it."""

    def submit_view(
        self,
        *,
        user_id: str,
        values: dict[str, dict[str, dict]],
        view_id: str | None = None,
        double: bool = False,
    ) -> Delivery:
        """A user submits a modal; the app's answer is applied to the stack as Slack does."""
        view = lookups.open_view(self.world, user_id=user_id, view_id=view_id)
        workspace, user = lookups.people(self.world, team_id=view.team_id, user_id=user_id)
        trigger_id = self._trigger(team_id=view.team_id, user_id=user_id)
        with self.world.lock:
            view.errors = None
            shown = copy.deepcopy(view.view)
        shown["state"] = {"values": values}
        payload = payloads.interaction(
            kind="view_submission", workspace=workspace, user=user, trigger_id=trigger_id
        )
        payload |= {"view": shown, "response_urls": []}
        if double:
            with ThreadPoolExecutor(max_workers=2) as pool:
                deliveries = list(pool.map(lambda _: self._post_payload(payload), range(2)))
        else:
            deliveries = [self._post_payload(payload)]
        for delivery in deliveries:
            delivery.trigger_id = trigger_id
            with self.world.lock:
                modals.apply_answer(
                    world=self.world,
                    workspace=workspace,
                    view=view,
                    status=delivery.status,
                    body=delivery.body,
                )
        first, *others = deliveries
        first.others = others
        return first

    def suggest(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str,
        view_id: str | None = None,
        state_values: dict[str, dict[str, dict]] | None = None,
    ) -> Delivery | None:
        """A user types into an external_select of a modal: Slack asks the app for options
        (block_suggestion). None when Slack would not ask yet: fewer characters typed than the
        menu's min_query_length (3 unless it says). `blockkit.check_options` reads the answer.
        """
        view = lookups.open_view(self.world, user_id=user_id, view_id=view_id)
        workspace, user = lookups.people(self.world, team_id=view.team_id, user_id=user_id)
        with self.world.lock:
            shown = copy.deepcopy(view.view)
        found = find_element(shown.get("blocks", []), action_id)
        if found is None or found[1].get("type") not in EXTERNAL_MENUS:
            raise LookupError(f"no external_select {action_id!r} in view {view.id}")
        block_id, element = found
        if len(value) < element.get("min_query_length", 3):
            return None
        shown["state"] = {"values": state_values or {}}
        payload = payloads.interaction(
            kind="block_suggestion", workspace=workspace, user=user, trigger_id=None
        )
        payload |= {
            "container": {"type": "view", "view_id": view.id},
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "view": shown,
        }
        return self._post_payload(payload)

    def close_view(self, *, user_id: str, view_id: str | None = None) -> Delivery | None:
        """A user closes a modal; view_closed is sent only when it asked with notify_on_close."""
        with self.world.lock:
            view = self.world.views.get(view_id) if view_id else self.world.top_view(user_id)
            if view is None or view.closed:
                return None
            modals.close(world=self.world, view=view)
        if not view.view.get("notify_on_close"):
            return None
        workspace, user = lookups.people(self.world, team_id=view.team_id, user_id=user_id)
        payload = payloads.interaction(
            kind="view_closed", workspace=workspace, user=user, trigger_id=None
        )
        payload |= {"view": view.view, "is_cleared": False}
        return self._post_payload(payload)
