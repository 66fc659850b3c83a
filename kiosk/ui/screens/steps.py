"""One screen per step kind. Each renders a `flows.views.View` and sends `Intent`s back.

The common frame (title, error line, body, action bar) is in `StepScreen`; each kind fills the
body its own way. Screens never interpret flow data: they show text and return choices.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.utils import escape_markup

from flows.views import (
    Action,
    Field,
    FieldKind,
    Intent,
    IntentAction,
    Option,
    StepKind,
    Table,
    View,
)
from kiosk.i18n import _
from kiosk.ui.context import UiContext
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import Metrics, Palette, hex_rgba
from kiosk.ui.video_help import video_button
from kiosk.ui.widgets import KButton, KScrollView, Panel, Spacer, Text

#: Field kinds with an on-screen keyboard of their own.
KEYBOARD_FOR_FIELD = {
    FieldKind.DIGITS: "digits", FieldKind.PHONE: "digits", FieldKind.ID_NUMBER: "id_number",
    FieldKind.DATE: "digits",
}
#: Text fields holding a person's name: the pinyin keyboard offers family names first.
NAME_FIELDS = frozenset({"name", "child_name", "baby_name", "applicant_name", "contact_name"})
#: Actions every screen carries; shown small on the left of the action bar.
UTILITY_ACTIONS = frozenset({IntentAction.GUIDE, IntentAction.REPORT, IntentAction.CANCEL})
OUTCOME_COLOUR = {"approved": "success", "accepted": "primary", "queued": "primary",
                  "done": "success", "refused": "danger", "failed": "danger"}


class StepScreen(KioskScreen):
    """The frame shared by every step screen."""

    kind: StepKind = StepKind.MESSAGE
    #: Actions this screen shows elsewhere (not in the action bar).
    hidden_actions: frozenset[str] = frozenset()

    def __init__(self, ctx: UiContext, **kwargs: object) -> None:
        super().__init__(ctx, name=f"step_{self.kind.value}", **kwargs)
        m, p = ctx.metrics, ctx.palette
        self.view: View | None = None
        self.title = Text("", p.text, m.font(52), bold=True)
        self.progress = Text("", p.muted, m.font(30, cap=1.2), halign="right",
                             fixed_height=True, size_hint_x=None, width=m.px(340))
        title_row = BoxLayout(orientation="horizontal", size_hint_y=None, height=m.px(90))
        title_row.add_widget(self.title)
        title_row.add_widget(self.progress)
        self.title.bind(height=lambda *_: setattr(title_row, "height",
                                                  max(m.px(90), self.title.height)))
        self.error = Text("", p.danger, m.font(38), bold=True)
        self.content = BoxLayout(orientation="vertical", spacing=m.px(18))
        self.actions = BoxLayout(orientation="horizontal", size_hint_y=None,
                                 height=m.px(120), spacing=m.px(24))
        for widget in (title_row, self.error, self.content, self.actions):
            self.body.add_widget(widget)
        self.buttons: dict[str, KButton] = {}

    # -- intents ---------------------------------------------------------------------------
    def send(self, action: str, value: object = None) -> None:
        """Send an intent to the running flow."""
        self.ctx.controller.send(Intent(action, value))

    def on_back(self) -> None:
        """返回 goes one step back in the flow (or home when there is none)."""
        if self.view is not None and any(a.name == IntentAction.BACK for a in self.view.actions):
            self.send(IntentAction.BACK)
        else:
            self.send(IntentAction.BACK) if self.view is not None else self.ctx.controller.home()

    # -- rendering -------------------------------------------------------------------------
    def render(self, state: object) -> None:
        """Render the state's view."""
        view = getattr(state, "view", None)
        if view is None:
            return
        if self.header is not None:
            self.header.set_title(view.service_title or getattr(state, "service_title", ""))
        notice = getattr(state, "notice", "")
        if view is self.view and not notice:
            return
        self.view = view
        self.title.text = view.title
        step, steps = view.progress
        self.progress.text = (_("第 {step} 步 / 共 {steps} 步", step=step, steps=steps)
                              if steps else "")
        self.error.text = notice or view.error
        informative = notice and getattr(state, "notice_kind", "error") == "info"
        self.error.color = hex_rgba(self.ctx.palette.success if informative
                                    else self.ctx.palette.danger)
        self.content.clear_widgets()
        self.build_content(view)
        self.build_actions(view.actions)

    def build_content(self, view: View) -> None:
        """Fill ``self.content`` for this kind (default: the body text and sections)."""
        self.add_body_text(view)
        self.add_sections(view)

    def add_body_text(self, view: View) -> None:
        """The view's body as large wrapped text."""
        m, p = self.ctx.metrics, self.ctx.palette
        if view.body:
            self.content.add_widget(Text(view.body, p.text, m.font(40)))

    def add_sections(self, view: View) -> None:
        """Titled sections in a scroll area."""
        if not view.sections:
            return
        m, p = self.ctx.metrics, self.ctx.palette
        column = _scroll_column(self.content, m.px(16))
        for section in view.sections:
            column.add_widget(Text(section.title, p.primary, m.font(40), bold=True))
            column.add_widget(Text(section.text, p.text, m.font(36)))

    def build_actions(self, actions: tuple[Action, ...]) -> None:
        """The action bar: utility actions (指南, 办不成事, 退出) small on the left, the step's
        own actions large on the right with the primary one last."""
        m, p = self.ctx.metrics, self.ctx.palette
        self.actions.clear_widgets()
        self.buttons.clear()
        shown = [a for a in actions if a.name not in self.hidden_actions]
        if not shown:
            self.actions.height = 0
            return
        self.actions.height = m.px(120)
        utility = [a for a in shown if a.name in UTILITY_ACTIONS]
        main = sorted((a for a in shown if a.name not in UTILITY_ACTIONS), key=lambda a: a.primary)
        for action in utility:
            button = KButton(action.label, self._action(action.name), m, p, kind="secondary",
                             enabled=action.enabled, size_hint=(None, None), width=m.px(250),
                             height=m.px(110), font_base=30, font_cap=1.2)
            self.buttons[action.name] = button
            self.actions.add_widget(button)
        video = video_button(self.ctx, size_hint=(None, None), width=m.px(250),
                             height=m.px(110), font_base=30, font_cap=1.2)
        if video is not None:  # 视频帮办 beside 办不成事 (kiosk/ui/video_help.py)
            self.buttons["video_help"] = video
            self.actions.add_widget(video)
        self.actions.add_widget(Spacer())
        width = m.px(360 if len(main) <= 2 else 300)
        for action in main:
            button = KButton(action.label, self._action(action.name), m, p,
                             kind="primary" if action.primary else "secondary",
                             enabled=action.enabled, size_hint=(None, None),
                             width=width, height=m.px(120), font_cap=1.3)
            self.buttons[action.name] = button
            self.actions.add_widget(button)

    def _action(self, name: str) -> Callable[[], None]:
        return lambda: self.send(name, self.action_value(name))

    def action_value(self, name: str) -> object:
        """The value sent with an action button (subclasses send selections)."""
        return None


class MessageScreen(StepScreen):
    """Plain information with actions."""

    kind = StepKind.MESSAGE


class GuideScreen(StepScreen):
    """办事指南: conditions, materials, time limit, fees, where to go."""

    kind = StepKind.GUIDE


class SubmitScreen(StepScreen):
    """Submitting: shown while the application is on its way."""

    kind = StepKind.SUBMIT


class IdentifyStepScreen(StepScreen):
    """The flow asks for identification (a card or code)."""

    kind = StepKind.IDENTIFY


class CaptureScreen(StepScreen):
    """Photograph paper materials with the document camera."""

    kind = StepKind.CAPTURE


class ResultScreen(StepScreen):
    """The outcome: accepted with a case number, approved automatically, or refused."""

    kind = StepKind.RESULT

    def build_content(self, view: View) -> None:
        """A coloured outcome card with the reference number."""
        m, p = self.ctx.metrics, self.ctx.palette
        colour = getattr(p, OUTCOME_COLOUR.get(view.outcome, "primary"))
        card = Panel(p.surface, radius=m.px(20), orientation="vertical", size_hint_y=None,
                     padding=m.px(30), spacing=m.px(16))
        card.add_widget(Text(view.body or view.title, colour, m.font(48), bold=True))
        if view.reference and view.reference not in (view.body or ""):
            card.add_widget(Text(_("编号：{reference}", reference=view.reference), p.text,
                                 m.font(44), bold=True))
        card.bind(minimum_height=card.setter("height"))
        self.content.add_widget(card)
        self.add_sections(view)
        self.content.add_widget(Spacer())


class PrintScreen(StepScreen):
    """Print a certificate or receipt: what will be printed, then the outcome."""

    kind = StepKind.PRINT_CERTIFICATE

    def build_content(self, view: View) -> None:
        """Body, any fields to be printed, and the outcome."""
        m, p = self.ctx.metrics, self.ctx.palette
        self.add_body_text(view)
        if view.fields:
            _field_rows(self.content, view, m, p, editable=False, on_edit=None)
        if view.outcome:
            colour = getattr(p, OUTCOME_COLOUR.get(view.outcome, "primary"))
            shown = view.reference and view.reference not in (view.body or "")
            reference = _("编号：{reference}", reference=view.reference) if shown else ""
            self.content.add_widget(Text(reference, colour, m.font(40), bold=True))
        if self.kind is StepKind.PRINT_CERTIFICATE and view.outcome == "failed" and view.reference:
            # issued but not printed: the platform keeps it under its serial
            self.reprint_hint = Text(_("证明已保存：可在任一自助终端刷身份证后选择“证明补打”"
                                       "重新打印，证明编号不变。"), p.text, m.font(36), bold=True)
            self.content.add_widget(self.reprint_hint)
        self.add_sections(view)
        self.content.add_widget(Spacer())


class PrintReceiptScreen(PrintScreen):
    """Print a receipt."""

    kind = StepKind.PRINT_RECEIPT


class RecordsScreen(StepScreen):
    """A paged table of records."""

    kind = StepKind.RECORDS
    hidden_actions = frozenset({IntentAction.PAGE, IntentAction.PAGE_PREV, IntentAction.PAGE_NEXT})

    def build_content(self, view: View) -> None:
        """The table with large rows, and page buttons."""
        m, p = self.ctx.metrics, self.ctx.palette
        table = view.table
        if view.body:
            self.content.add_widget(Text(view.body, p.muted, m.font(34)))
        if table is None:
            return
        if table.summary:
            self.content.add_widget(Text(table.summary, p.text, m.font(34, cap=1.25), bold=True))
        self.row_buttons: dict[str, KButton] = {}
        if view.extra.get("selectable") and view.options:
            self._selectable_rows(view)
        else:
            self._grid(table)
        if table.pages > 1:
            self._pager(table)

    def _selectable_rows(self, view: View) -> None:
        """One large button per row: tapping it chooses that row (e.g. the case, the
        certificate to print again)."""
        m, p = self.ctx.metrics, self.ctx.palette
        column = _scroll_column(self.content, m.px(16))
        for option in view.options:
            label = _option_label(option, m.font(28))
            button = KButton(label, partial(self.send, IntentAction.CHOOSE, option.value), m, p,
                             kind="secondary", markup=True,
                             height=m.px(150 if option.detail else 120))
            self.row_buttons[option.value] = button
            column.add_widget(button)

    def _grid(self, table: Table) -> None:
        m, p = self.ctx.metrics, self.ctx.palette
        grid = GridLayout(cols=max(1, len(table.columns)), size_hint_y=None,
                          spacing=(m.px(2), m.px(2)))
        grid.bind(minimum_height=grid.setter("height"))
        row_height = m.px(58) * min(m.text_scale, 1.25)
        for column in table.columns:
            cell = Panel(p.header, orientation="vertical", size_hint_y=None, height=row_height)
            cell.add_widget(Text(column, p.on_header, m.font(30, cap=1.25), halign="center",
                                 bold=True, fixed_height=True, shorten=True))
            grid.add_widget(cell)
        for index, row in enumerate(table.rows):
            colour = p.surface if index % 2 == 0 else p.secondary
            for value in row:
                cell = Panel(colour, orientation="vertical", size_hint_y=None, height=row_height)
                cell.add_widget(Text(value, p.text, m.font(30, cap=1.25), halign="center",
                                     fixed_height=True, shorten=True))
                grid.add_widget(cell)
        scroll = KScrollView(do_scroll_x=False)
        scroll.add_widget(grid)
        self.content.add_widget(scroll)

    def _pager(self, table: Table) -> None:
        m, p = self.ctx.metrics, self.ctx.palette
        pager = BoxLayout(orientation="horizontal", size_hint_y=None, height=m.px(100),
                          spacing=m.px(20))
        pager.add_widget(KButton(_("上一页"),
                                 lambda: self.send(IntentAction.PAGE, table.page - 1), m, p,
                                 enabled=table.page > 1))
        pager.add_widget(Text(_("第 {page} 页 / 共 {pages} 页（{total} 条）", page=table.page,
                                pages=table.pages, total=table.total),
                              p.text, m.font(32, cap=1.2), halign="center",
                              fixed_height=True))
        pager.add_widget(KButton(_("下一页"),
                                 lambda: self.send(IntentAction.PAGE, table.page + 1), m, p,
                                 enabled=table.page < table.pages))
        self.content.add_widget(pager)


class ChooseScreen(StepScreen):
    """Pick one option (or several, for ``multiple``)."""

    kind = StepKind.CHOOSE

    def build_content(self, view: View) -> None:
        """Options as large buttons; toggles when several may be chosen."""
        m, p = self.ctx.metrics, self.ctx.palette
        self.add_body_text(view)
        self.selected = {o.value for o in view.options if o.selected}
        column = _scroll_column(self.content, m.px(16))
        self.option_buttons: dict[str, KButton] = {}
        for option in view.options:
            label = _option_label(option, m.font(28), with_reason=True)
            button = KButton(label, self._chooser(option.value), m, p,
                             kind="primary" if option.value in self.selected else "secondary",
                             enabled=option.enabled, markup=True,
                             height=m.px(150 if option.detail else 120))
            self.option_buttons[option.value] = button
            column.add_widget(button)

    def _chooser(self, value: str) -> Callable[[], None]:
        def choose() -> None:
            view = self.view
            if view is not None and view.multiple:
                self.selected ^= {value}
                for key, button in self.option_buttons.items():
                    _paint(button, key in self.selected, self.ctx.palette)
                self.ctx.controller.touch()
            else:
                self.send(IntentAction.CHOOSE, value)
        return choose

    def action_value(self, name: str) -> object:
        """Multi-choice screens send the selection with the action."""
        view = self.view
        if view is not None and view.multiple:
            return sorted(self.selected)
        return None


class LicenceScreen(ChooseScreen):
    """Attach electronic licences instead of paper (免于提交)."""

    kind = StepKind.LICENCE


class LicenceCopyScreen(StepScreen):
    """电子证照打印: the licences held as large buttons; then the chosen one's preview, the
    purposes to choose from, and the print outcome."""

    kind = StepKind.LICENCE_COPY

    def build_content(self, view: View) -> None:
        """Body, the preview lines, then the options (licences or purposes), then outcome."""
        m, p = self.ctx.metrics, self.ctx.palette
        self.add_body_text(view)
        self.option_buttons: dict[str, KButton] = {}
        if view.fields:
            _field_rows(self.content, view, m, p, editable=False, on_edit=None)
        if view.options:
            cols = 3 if view.fields else 1
            grid = GridLayout(cols=cols, spacing=m.px(14), size_hint_y=None)
            grid.bind(minimum_height=grid.setter("height"))
            for option in view.options:
                label = option.label + (f"\n[size={int(m.font(28))}]{option.detail}[/size]"
                                        if option.detail else "")
                button = KButton(label, self._chooser(option.value), m, p,
                                 kind="primary" if option.selected else "secondary",
                                 markup=True, height=m.px(140 if option.detail else 90))
                self.option_buttons[option.value] = button
                grid.add_widget(button)
            if view.fields:
                self.content.add_widget(grid)
            else:
                scroll = KScrollView(do_scroll_x=False, bar_width=m.px(12))
                scroll.add_widget(grid)
                self.content.add_widget(scroll)
        if view.outcome:
            colour = getattr(p, OUTCOME_COLOUR.get(view.outcome, "primary"))
            shown = view.reference and view.reference not in (view.body or "")
            reference = _("编号：{reference}", reference=view.reference) if shown else ""
            self.content.add_widget(Text(reference, colour, m.font(40), bold=True))
        if not view.options and not view.fields:
            self.content.add_widget(Spacer())

    def _chooser(self, value: str) -> Callable[[], None]:
        return lambda: self.send("choose", value)


class RateScreen(StepScreen):
    """好差评: five large levels in a row; reasons to tick for the two lowest."""

    kind = StepKind.RATE

    def build_content(self, view: View) -> None:
        """Scores, then the reasons when the chosen score needs them."""
        m, p = self.ctx.metrics, self.ctx.palette
        self.add_body_text(view)
        selected = next((o.value for o in view.options if o.selected), "")
        self.score = selected
        row = BoxLayout(orientation="horizontal", spacing=m.px(16), size_hint_y=None,
                        height=m.px(170))
        self.score_buttons: dict[str, KButton] = {}
        for option in view.options:
            button = KButton(option.label, self._chooser(option.value), m, p,
                             kind="primary" if option.value == selected else "secondary",
                             height=m.px(170), font_base=40)
            self.score_buttons[option.value] = button
            row.add_widget(button)
        self.content.add_widget(row)
        needs = [str(v) for v in view.extra.get("reasons_required_for", ())]
        self.reasons: set[str] = set()
        self.reason_buttons: dict[str, KButton] = {}
        field = view.field
        if field is not None and selected and selected in needs:
            self.reasons = {o.value for o in field.options if o.selected}
            self.content.add_widget(Text(field.label or _("请选择不满意的原因（可多选）"), p.text,
                                         m.font(40), bold=True))
            grid = GridLayout(cols=2, spacing=m.px(14), size_hint_y=None)
            grid.bind(minimum_height=grid.setter("height"))
            for option in field.options:
                button = KButton(option.label, self._toggler(option.value), m, p,
                                 kind="primary" if option.value in self.reasons else "secondary")
                self.reason_buttons[option.value] = button
                grid.add_widget(button)
            self.content.add_widget(grid)
        self.content.add_widget(Spacer())

    def _chooser(self, value: str) -> Callable[[], None]:
        return lambda: self.send(IntentAction.CHOOSE, value)

    def _toggler(self, value: str) -> Callable[[], None]:
        def toggle() -> None:
            self.reasons ^= {value}
            _paint(self.reason_buttons[value], value in self.reasons, self.ctx.palette)
            self.ctx.controller.touch()
        return toggle

    def action_value(self, name: str) -> object:
        """提交评价 sends the score and the ticked reasons."""
        if name == IntentAction.RATE:
            return {"score": self.score, "reasons": sorted(self.reasons)}
        return None


class ReportScreen(StepScreen):
    """办不成事反映: pick what went wrong, then send."""

    kind = StepKind.REPORT

    def build_content(self, view: View) -> None:
        """Categories as large buttons."""
        m, p = self.ctx.metrics, self.ctx.palette
        self.add_body_text(view)
        self.category = next((o.value for o in view.options if o.selected), "")
        grid = GridLayout(cols=2, spacing=m.px(14), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        self.category_buttons: dict[str, KButton] = {}
        for option in view.options:
            button = KButton(option.label, self._chooser(option.value), m, p,
                             kind="primary" if option.value == self.category else "secondary")
            self.category_buttons[option.value] = button
            grid.add_widget(button)
        self.content.add_widget(grid)
        self.content.add_widget(Text(_("工作人员将尽快与您联系并答复。"), p.muted, m.font(34)))
        self.content.add_widget(Spacer())

    def _chooser(self, value: str) -> Callable[[], None]:
        return lambda: self.send(IntentAction.CHOOSE, value)


def _option_label(option: Option, small_font: float, with_reason: bool = False) -> str:
    """An option's label and its smaller second line, as Kivy markup in which the texts
    themselves (from the platform or a bundle) are escaped: shown as written, never as tags."""
    label = escape_markup(option.label)
    if option.detail:
        label += f"\n[size={int(small_font)}]{escape_markup(option.detail)}[/size]"
    if with_reason and not option.enabled and option.reason:
        label += f"\n[size={int(small_font)}]{escape_markup(option.reason)}[/size]"
    return label


def _paint(button: KButton, selected: bool, palette: Palette) -> None:
    colour = palette.primary if selected else palette.secondary
    button.background_color = hex_rgba(colour)
    button._colour = hex_rgba(colour)
    button.color = hex_rgba(palette.on_primary if selected else palette.on_secondary)


class FormScreen(StepScreen):
    """One question per page, with an on-screen keyboard for digits and ID numbers."""

    kind = StepKind.FORM

    def build_content(self, view: View) -> None:
        """The question and its value (marked when pre-filled) on the left, a keypad right."""
        m, p = self.ctx.metrics, self.ctx.palette
        field = view.field
        self.add_body_text(view)
        if field is None:
            return
        self.value = field.value
        row = BoxLayout(orientation="horizontal", spacing=m.px(40))
        left = BoxLayout(orientation="vertical", spacing=m.px(16))
        if field.label and field.label not in view.title:
            left.add_widget(Text(field.label, p.text, m.font(44), bold=True))
        if field.hint:
            left.add_widget(Text(field.hint, p.muted, m.font(32)))
        box = Panel(p.prefilled_bg if field.prefilled else p.surface, radius=m.px(12),
                    orientation="vertical", size_hint_y=None, height=m.px(120),
                    padding=[m.px(24), 0])
        self.value_label = Text(self.value, p.text, m.font(52), fixed_height=True, bold=True)
        box.add_widget(self.value_label)
        if not field.options:  # a choice shows its options, the chosen one highlighted
            left.add_widget(box)
        if field.prefilled:
            left.add_widget(Text(_("已根据政府部门已有信息为您预填，请核对"), p.success,
                                 m.font(34)))
        if field.error:
            self.error.text = field.error
        row.add_widget(left)
        self.content.add_widget(row)
        if field.options:
            left.add_widget(Spacer(size_hint_y=0.05))
            for option in field.options:
                left.add_widget(KButton(option.label, self._answer(option.value), m, p,
                                        kind="primary" if option.value == self.value
                                        else "secondary"))
            left.add_widget(Spacer())
            return
        left.add_widget(Spacer())
        if field.kind is FieldKind.TEXT:
            self._add_pinyin_keyboard(field)
            return
        layout = KEYBOARD_FOR_FIELD.get(field.kind)
        if layout is not None:
            pad = BoxLayout(orientation="vertical", size_hint_x=0.48)
            pad.add_widget(OnScreenKeyboard(self.ctx, layout, self._typed, value=self.value,
                                            max_length=field.max_length))
            pad.add_widget(Spacer())
            row.add_widget(pad)

    def _answer(self, value: str) -> Callable[[], None]:
        return lambda: self.send(IntentAction.ANSWER, value)

    def _add_pinyin_keyboard(self, field: Field) -> None:
        """Chinese text: a full-width pinyin keyboard with candidate words under the value."""
        from kiosk.ui.pinyin_keyboard import PinyinKeyboard

        prefs = self.ctx.prefs.current if self.ctx.prefs is not None else None
        page = prefs.pinyin_candidates_per_page if prefs is not None else 8
        keyboard = PinyinKeyboard(self.ctx, self._typed, value=self.value,
                                  max_length=field.max_length, page_size=page,
                                  names=field.key in NAME_FIELDS)
        self.content.add_widget(keyboard)

    def _typed(self, value: str) -> None:
        self.value = value
        self.value_label.text = value
        self.ctx.controller.touch()

    def action_value(self, name: str) -> object:
        """The typed answer goes with 下一步."""
        typed = name in (IntentAction.NEXT, IntentAction.ANSWER)
        return getattr(self, "value", None) if typed else None

    def _action(self, name: str) -> Callable[[], None]:
        """下一步 after typing sends the typed text as the field's ``answer`` (the flow's
        ``next`` keeps the value it already has, so a typed value would be lost)."""
        if name != IntentAction.NEXT:
            return super()._action(name)

        def next_step() -> None:
            field = self.view.field if self.view is not None else None
            typed = getattr(self, "value", None)
            if field is not None and not field.options and typed != field.value:
                self.send(IntentAction.ANSWER, typed)
            else:
                self.send(IntentAction.NEXT, typed)
        return next_step


class CheckScreen(StepScreen):
    """Check your answers; each may be changed."""

    kind = StepKind.CHECK

    def build_content(self, view: View) -> None:
        """All answers, with a 修改 button each one the flow lets the resident change (not,
        e.g., a name read from the ID card: ``editable: false``)."""
        m, p = self.ctx.metrics, self.ctx.palette
        self.add_body_text(view)
        _field_rows(self.content, view, m, p, editable=True,
                    on_edit=lambda key: self.send(IntentAction.EDIT, key),
                    only=frozenset(view.extra.get("editable", ())))


def _scroll_column(parent: BoxLayout, spacing: float) -> BoxLayout:
    scroll = KScrollView(do_scroll_x=False)
    column = BoxLayout(orientation="vertical", size_hint_y=None, spacing=spacing)
    column.bind(minimum_height=column.setter("height"))
    scroll.add_widget(column)
    parent.add_widget(scroll)
    return column


def _field_rows(parent: BoxLayout, view: View, m: Metrics, p: Palette, editable: bool,
                on_edit: Callable[[str], None] | None,
                only: frozenset[str] | None = None) -> None:
    column = _scroll_column(parent, m.px(10))
    for field in view.fields:
        row = Panel(p.prefilled_bg if field.prefilled else p.surface,
                    orientation="horizontal", size_hint_y=None, height=m.px(100),
                    padding=[m.px(20), m.px(8)], spacing=m.px(16))
        row.add_widget(Text(field.label, p.muted, m.font(34), fixed_height=True,
                            size_hint_x=0.35))
        row.add_widget(Text(field.value or _("（未填写）"), p.text, m.font(38), bold=True,
                            fixed_height=True))
        if editable and on_edit is not None and (only is None or field.key in only):
            row.add_widget(KButton(_("修改"), partial(on_edit, field.key), m, p,
                                   size_hint=(None, 1), width=m.px(180)))
        column.add_widget(row)


STEP_SCREENS: tuple[type[StepScreen], ...] = (
    MessageScreen, GuideScreen, SubmitScreen, IdentifyStepScreen, CaptureScreen, ResultScreen,
    PrintScreen, PrintReceiptScreen, RecordsScreen, ChooseScreen, LicenceScreen, RateScreen,
    ReportScreen, FormScreen, CheckScreen, LicenceCopyScreen,
)
