"""Interactive controls for the notebooks and the workshop dashboard.

Controls are *data* (:class:`Control`: a dotted target key, a kind, a range or
options, labels in English and Bahasa Indonesia), kept apart from the model
(the mesa habit).  Three steps turn a control panel into a picture:

1. :func:`make_widget` builds an ipywidgets control from a :class:`Control`;
2. :func:`apply_controls` turns the panel's values into a validated
   :class:`~asnsim.policy.Policy` and :class:`~asnsim.scenario.Scenario`
   through the one override path (:mod:`asnsim.overrides`, as ``extends``
   and sweeps; an impossible value raises
   :class:`~asnsim.errors.PolicyError` naming the control);
3. :class:`LiveView` re-runs a *render* function whenever a control moves and
   shows its figures (as PNG images) and tables (as HTML).

Target keys: ``policy.<dotted key>`` and ``scenario.<dotted key>`` override
the policy or scenario; ``policy.panel`` sets the rater roles of every rated
component; component weights are renormalized to sum to 1; ``run.<name>``
keys (size, seed, choice of base policy) go to the render function as is.

The three ready-made apps, :func:`asnsim.rubric.rubric_designer`,
:func:`asnsim.biaslab.bias_lab` and :func:`asnsim.workshop.workshop` (each in
its own module, still importable from here), are what notebooks 02, 03 and 05
display; they call :func:`asnsim.pipeline.simulate` and :mod:`asnsim.plots`,
nothing else.
ipywidgets is imported only when a widget is built.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

import numpy as np
import pandas as pd
from . import columns as C
from . import labels as L
from . import plots
from .bounds import SANITY_LIMITS
from .errors import AsnsimError, PolicyError
from .policy import Policy, load_policy
from .scenario import RaterParams, Scenario, load_scenario

Lang = Literal["en", "id"]
SOURCE = "controls"


@dataclass(frozen=True)
class Control:
    """One control, described as data.

    Parameters
    ----------
    key : str
        Target: ``policy.<dotted key>``, ``scenario.<dotted key>``,
        ``policy.panel`` or ``run.<name>``.
    kind : {"float", "int", "choice", "bool", "level"}
        ``level`` is an ordered choice shown as a slider whose positions are
        named in words (``tidak ada / sedang / kuat``).
    default : Any
        Initial value (an option *value* for ``choice`` and ``level``).
    label : mapping of language to text
    min, max, step : float, optional
        Range of a numeric control.
    options : tuple of (value, mapping of language to text)
        Choices of a ``choice`` or ``level`` control, in order.
    help : mapping of language to text, optional
        One sentence shown under the control.
    """

    key: str
    kind: Literal["float", "int", "choice", "bool", "level"]
    default: Any
    label: Mapping[str, str]
    min: float | None = None
    max: float | None = None
    step: float | None = None
    options: tuple[tuple[Any, Mapping[str, str]], ...] = ()
    help: Mapping[str, str] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return self.label.get(lang, self.label.get("en", self.key))

    def check(self, value: Any) -> Any:
        """Return ``value`` if the control allows it, else raise PolicyError naming the key."""
        if self.kind in ("float", "int"):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise PolicyError(SOURCE, self.key, f"expected a number, got {value!r}")
            if not (self.min <= value <= self.max):
                raise PolicyError(SOURCE, self.key, f"{value!r} is outside {self.min:g}..{self.max:g}")
            return int(value) if self.kind == "int" else float(value)
        if self.kind == "bool":
            return bool(value)
        allowed = [v for v, _ in self.options]
        if value not in allowed:
            raise PolicyError(SOURCE, self.key, f"{value!r} is not one of {allowed}")
        return value


# ---------------------------------------------------------------- building widgets

def make_widget(control: Control, lang: Lang = "en"):
    """Build the ipywidgets control for ``control`` (sliders update on release)."""
    import ipywidgets as W

    common = {"description": control.text(lang), "style": {"description_width": "initial"},
              "layout": W.Layout(width="480px")}
    if control.kind == "float":
        return W.FloatSlider(value=control.default, min=control.min, max=control.max, step=control.step,
                             continuous_update=False, readout_format=".2f", **common)
    if control.kind == "int":
        return W.IntSlider(value=control.default, min=int(control.min), max=int(control.max),
                           step=int(control.step or 1), continuous_update=False, **common)
    if control.kind == "bool":
        return W.Checkbox(value=bool(control.default), indent=False, **common)
    opts = [(lab.get(lang, lab.get("en", str(v))), v) for v, lab in control.options]
    if control.kind == "level":  # by index: a value of 0 would leave the slider without a label
        index = [v for _, v in opts].index(control.default)
        return W.SelectionSlider(options=opts, index=index, continuous_update=False, **common)
    return W.Dropdown(options=opts, value=control.default, **common)


# ---------------------------------------------------------------- values to model

def split_values(values: Mapping[str, Any]) -> tuple[dict, dict, dict]:
    """Split control values into (policy overrides, scenario overrides, run options), dotted keys without prefix."""
    pol: dict = {}
    scen: dict = {}
    run: dict = {}
    for key, value in values.items():
        head, _, rest = key.partition(".")
        if head == "run":
            run[rest] = value
        elif head == "policy" and rest != "panel":
            pol[rest] = value
        elif head == "scenario":
            scen[rest] = value
        elif key != "policy.panel":
            raise PolicyError(SOURCE, key, "a control key starts with policy., scenario. or run.")
    return pol, scen, run


PANELS: dict[str, dict[str, float]] = {
    "atasan": {C.ATASAN: 1.0},
    "atasan_self": {C.ATASAN: 0.7, C.SELF: 0.3},
    "atasan_rekan": {C.ATASAN: 0.6, C.REKAN: 0.4},
    "360": {C.ATASAN: 0.5, C.REKAN: 0.2, C.BAWAHAN: 0.15, C.SELF: 0.15},
}


def apply_controls(values: Mapping[str, Any], policy: Policy | str, scenario: Scenario | str
                   ) -> tuple[Policy, Scenario, dict]:
    """Apply control values to a base policy and scenario.

    The changes go through the one override path
    (:func:`asnsim.overrides.apply_overrides`), validated as a policy file is.
    Weight sliders are *relative* weights: when any
    ``policy.components.<c>.weight`` is set, every component's weight becomes
    :math:`w_c / \\sum_k w_k` (the sliders' values, the base's for components
    without a slider) and all of them are passed as given.
    ``policy.panel`` (a key of :data:`PANELS`) replaces the rater weights of
    every rated component.

    Returns
    -------
    (Policy, Scenario, dict)
        The modified policy and scenario and the ``run.*`` options.

    Raises
    ------
    PolicyError
        When the result breaks a policy or scenario rule (message names the key).
    """
    from .overrides import apply_overrides

    base_p = load_policy(policy) if not isinstance(policy, Policy) else policy
    base_s = load_scenario(scenario)
    pol_o, scen_o, run = split_values(values)
    weights = {c: pol_o.pop(f"components.{c}.weight", comp.weight) for c, comp in base_p.components.items()}
    if any(f"policy.components.{c}.weight" in values for c in weights):
        total = sum(float(w) for w in weights.values())
        if total <= 0:
            raise PolicyError(SOURCE, "policy.components.*.weight", "at least one weight must be positive")
        pol_o.update({f"components.{c}.weight": float(w) / total for c, w in weights.items()})
    if "policy.panel" in values:
        roles = PANELS[values["policy.panel"]]
        pol_o.update({f"components.{c}.raters": dict(roles) for c, comp in base_p.components.items()
                      if comp.measure == "rating"})
    return apply_overrides(base_p, pol_o, SOURCE), apply_overrides(base_s, scen_o, SOURCE), run


# ---------------------------------------------------------------- live view

Rendered = Mapping[str, Any]  # name -> Figure | DataFrame | str (HTML)


class LiveView:
    """A control panel wired to a render function; outputs refresh on every change.

    Parameters
    ----------
    controls : sequence of Control
    render : callable
        ``render(values) -> {name: Figure | DataFrame | str}``; figures are
        shown as PNG images, tables and strings as HTML, in the order given.
    lang : {"en", "id"}
    run_button : bool
        When True, changes wait for a click on the Run button (for renders
        too slow to feel live).
    show_time : bool
        Show the seconds each refresh took (an analyst's number; a workshop
        page leaves it out).

    Attributes
    ----------
    last : dict
        The most recent render output; ``seconds`` its wall time;
        ``error`` the last user error message, or None.
    """

    def __init__(self, controls: list[Control] | tuple[Control, ...], render: Callable[[dict], Rendered],
                 lang: Lang = "en", run_button: bool = False, title: str = "", show_time: bool = True):
        import ipywidgets as W

        self.controls = {c.key: c for c in controls}
        self.render = render
        self.lang = lang
        self.widgets = {c.key: make_widget(c, lang) for c in controls}
        self.last: dict = {}
        self.seconds = float("nan")
        self.error: str | None = None
        self.n_updates = 0
        self.show_time = show_time
        self._layouts: dict[str, list] = {}
        self.status = W.HTML()
        self.out_box = W.VBox()
        rows = [W.HTML(f"<h3>{html.escape(title)}</h3>")] if title else []
        for c in controls:
            rows.append(self.widgets[c.key])
            if c.help:
                rows.append(W.HTML(f"<small style='color:#555'>{html.escape(c.help.get(lang, ''))}</small>"))
        if run_button:
            btn = W.Button(description=L.text("run", lang), button_style="primary")
            btn.on_click(lambda _b: self.update())
            rows.append(btn)
        else:
            for w in self.widgets.values():
                w.observe(lambda _change: self.update(), names="value")
        self.box = W.VBox([W.VBox(rows), self.status, self.out_box])
        self.update()

    def values(self) -> dict[str, Any]:
        """Current control values, checked against each control's range."""
        return {k: self.controls[k].check(w.value) for k, w in self.widgets.items()}

    def set(self, **values: Any) -> "LiveView":
        """Set controls by key (dots written as ``__``) and refresh once, e.g. ``set(run__n=500)``."""
        keys = {k.replace("__", "."): v for k, v in values.items()}
        for key in keys:
            if key not in self.widgets:
                raise PolicyError(SOURCE, key, f"no such control; controls: {', '.join(self.widgets)}")
        for key, value in keys.items():
            self.controls[key].check(value)
        with self._hold():
            for key, value in keys.items():
                self.widgets[key].value = value
        self.update()
        return self

    def _hold(self):
        view = self

        class _Hold:
            def __enter__(self):
                view._held = True

            def __exit__(self, *exc):
                view._held = False

        return _Hold()

    def update(self) -> None:
        """Re-render from the current values (a user error is shown, old outputs kept)."""
        if getattr(self, "_held", False):
            return
        import ipywidgets as W

        t0 = time.perf_counter()
        self.status.value = f"<small style='color:#777'>{L.text('computing', self.lang)}</small>"
        try:
            result = dict(self.render(self.values()))
        except AsnsimError as exc:
            self.error = str(exc)
            self.status.value = f"<span style='color:#b2182b'>{html.escape(self.error)}</span>"
            return
        self.error = None
        children = []
        from matplotlib.figure import Figure as MplFigure

        for name, obj in result.items():
            if isinstance(obj, MplFigure):
                self._reuse_layout(name, obj)
                widget = W.Image(value=plots.figure_png(obj), format="png", layout=W.Layout(max_width="720px"))
                self._layouts[name] = (self._shape(obj), [ax.get_position() for ax in obj.axes])
            elif isinstance(obj, pd.DataFrame):
                widget = W.HTML(obj.to_html(float_format=lambda v: L.number(v, 2, self.lang), border=0,
                                            classes="asnsim-table"))
            else:
                widget = W.HTML(str(obj))
            widget.add_class(f"asnsim-out-{name}")
            children.append(widget)
        self.out_box.children = children
        self.last = result
        self.seconds = time.perf_counter() - t0
        self.n_updates += 1
        self.status.value = f"<small style='color:#777'>{self.seconds:.2f} s</small>" if self.show_time else ""

    def _reuse_layout(self, name: str, fig) -> None:
        """Give ``fig`` the axes positions its first rendering computed (constrained layout).

        The layout solver costs about a third of a refresh; the figures of one
        output keep their structure between refreshes, so the first solution
        is reused (only when the axes and the number of lines of their titles
        are unchanged).
        """
        saved = self._layouts.get(name)
        if saved is not None and saved[0] == self._shape(fig):
            fig.set_layout_engine("none")
            for ax, pos in zip(fig.axes, saved[1]):
                ax.set_position(pos)

    @staticmethod
    def _shape(fig) -> tuple:
        """What the layout depends on besides tick labels: the axes, and the lines of their titles."""
        return tuple(ax.get_title().count("\n") for ax in fig.axes)

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The live widget, with a PNG of its first figure for renderers without widgets.

        JupyterLab and Voila show the widget; a static view of the saved
        notebook (nbconvert, a repository browser, the test suite) shows the
        picture the controls produced first instead of nothing.
        """
        import base64

        from matplotlib.figure import Figure as MplFigure

        bundle = dict(self.box._repr_mimebundle_(**kwargs) or {})
        first = next((obj for obj in self.last.values() if isinstance(obj, MplFigure)), None)
        if first is not None:
            bundle["image/png"] = base64.b64encode(plots.figure_png(first)).decode()
        return bundle


# ---------------------------------------------------------------- the apps (notebooks 02, 03, 05)

#: Labels of scenario parameters (:func:`asnsim.labels.param_labels`: the rater effects' from the registry);
#: a parameter without an entry is labelled by its name.
PARAM_LABELS = L.PARAM_LABELS
DEFAULT_MAX = 1.5


def scenario_controls(section: str = "rater", model: type = RaterParams, base: Scenario | str = "neutral"
                      ) -> tuple[Control, ...]:
    """One control per parameter of a scenario section, generated from the pydantic model.

    Float and int fields become sliders whose range is the field's bounds
    (``ge``/``le``) where it has them; an unbounded side, or one bounded only
    by a sanity limit (:data:`asnsim.bounds.SANITY_LIMITS`), gets
    ``-DEFAULT_MAX`` below and ``max(DEFAULT_MAX, 3 * default)`` above.
    ``Literal`` fields become drop-downs.  Defaults are the base scenario's
    values.  New rater effects added to :class:`~asnsim.scenario.RaterParams`
    appear here without code changes.
    """
    scen = load_scenario(base)
    current = getattr(scen, section)
    labels = L.param_labels()
    out = []
    for name, info in model.model_fields.items():
        value = getattr(current, name)
        label = labels.get(name, {"en": name.replace("_", " "), "id": name.replace("_", " ")})
        if get_origin(info.annotation) is Literal:
            out.append(Control(f"scenario.{section}.{name}", "choice", value, label,
                               options=tuple((v, {"en": str(v), "id": str(v)}) for v in get_args(info.annotation))))
            continue
        if info.annotation not in (float, int):
            continue
        lo, hi = None, None
        for meta in info.metadata:
            lo = float(meta.ge) if getattr(meta, "ge", None) is not None else lo
            hi = float(meta.le) if getattr(meta, "le", None) is not None else hi
        lo, hi = (None if lo in SANITY_LIMITS else lo), (None if hi in SANITY_LIMITS else hi)
        lo = -DEFAULT_MAX if lo is None else lo
        hi = max(DEFAULT_MAX, 3.0 * abs(float(value))) if hi is None else hi
        if info.annotation is int:
            out.append(Control(f"scenario.{section}.{name}", "int", int(value), label, lo, hi, 1))
        else:
            out.append(Control(f"scenario.{section}.{name}", "float", float(value), label, lo, hi, 0.05))
    return tuple(out)


def key_figure_label(o, lang: Lang = "en") -> str:
    """A key figure's row label: the outcome's label and its unit (``%``, percentage ``points``, hours...)."""
    if o.percent:
        unit = L.text("points", lang) if o.direction == 0 else "%"
    else:
        unit = o.unit_text(lang)
    return f"{o.text(lang)} ({unit})" if unit else o.text(lang)


def key_figures(sim, lang: Lang = "en") -> pd.Series:
    """The outcomes shown as key figures (:func:`asnsim.outcomes.shown`), for one simulated round.

    By default: Spearman's rho between final score and true performance; the
    share of the truly top 10% rated Sangat Baik; % Sangat Baik and % Baik or
    better; the Sangat Baik gap, close to the superior minus not close
    (percentage points, unadjusted); rater hours per employee-year (NaN when
    ``sim`` carries no policy); the mean true performance gain over the year
    (feedback and training; NaN without the start-of-year truth).  Shares are
    in percent; labels from :func:`key_figure_label`.
    """
    from .metrics.replicate import Round
    from .outcomes import shown

    r = Round(sim)
    return pd.Series({key_figure_label(o, lang): (100.0 if o.percent else 1.0) * float(o.compute(r))
                      for o in shown("key_figure")})


def _simulate(policy, scenario, n: int, seed: int):
    from .pipeline import simulate
    return simulate(policy, n=n, seed=seed, scenario=scenario)


# ---------------------------------------------------------------- the apps' own modules (notebooks 02, 03, 05)

#: the apps' names, in their own modules (the workshop, the rubric designer, the bias lab), still importable from here
_MOVED = {**dict.fromkeys(("WORKSHOP_CONTROLS", "WORKSHOP_POLICIES", "runnable_policies", "story_pair", "workshop"),
                          "workshop"),
          **dict.fromkeys(("rubric_controls", "rubric_designer", "describe_changes"), "rubric"),
          **dict.fromkeys(("available_corrections", "correction_recovery", "bias_lab"), "biaslab")}


def __getattr__(name: str):
    if name in _MOVED:
        import importlib
        return getattr(importlib.import_module(f"{__package__}.{_MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
