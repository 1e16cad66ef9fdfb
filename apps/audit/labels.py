"""Display names of audit actions and states written by one app on another app's object (a warning recorded on a
collective, say). Each app registers its own when its workflow module is imported; timelines fall back to them."""

_actions = {}
_states = {}


def register(actions=None, states=None):
    _actions.update(actions or {})
    _states.update(states or {})


def action_label(action):
    return _actions.get(action, action)


def state_label(state):
    return _states.get(state, state)
