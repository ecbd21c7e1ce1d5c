//! The page host's DOM listeners: pointer, wheel and key events on the canvas element turned into
//! plain [`InputEvent`]s for [`Shared::input`], and a `ResizeObserver` that follows the canvas's
//! CSS size. (A worker's heatmap has no DOM: its page's proxy owns these listeners.)

use super::Shared;
use super::input::InputEvent;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{
    AddEventListenerOptions, Event, HtmlCanvasElement, KeyboardEvent, MouseEvent, PointerEvent,
    ResizeObserver, WheelEvent,
};

type EventHandler = Closure<dyn FnMut(Event)>;
type ResizeHandler = Closure<dyn FnMut(js_sys::Array)>;

/// The listeners attached to the canvas; dropping them detaches nothing, so call `detach`.
pub(crate) struct DomInput {
    canvas: HtmlCanvasElement,
    listeners: Vec<(&'static str, EventHandler)>,
    resize_observer: Option<(ResizeObserver, ResizeHandler)>,
}

impl DomInput {
    /// Listens for resizes always, and for pan/zoom input when `interactive`.
    pub(crate) fn attach(
        canvas: &HtmlCanvasElement,
        shared: &Rc<Shared>,
        interactive: bool,
    ) -> Self {
        let mut input = DomInput {
            canvas: canvas.clone(),
            listeners: Vec::new(),
            resize_observer: None,
        };
        let weak = Rc::downgrade(shared);
        let on_resize = ResizeHandler::new({
            let weak = weak.clone();
            move |_entries| {
                with(&weak, |s| s.resize_to_canvas());
            }
        });
        if let Ok(observer) = ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            observer.observe(canvas);
            input.resize_observer = Some((observer, on_resize));
        }
        if interactive {
            input.attach_pointer_and_keys(&weak);
        }
        input
    }

    fn attach_pointer_and_keys(&mut self, weak: &Weak<Shared>) {
        // Touch gestures belong to the heatmap, not to page scrolling; keys need focus.
        let _ = self.canvas.style().set_property("touch-action", "none");
        if !self.canvas.has_attribute("tabindex") {
            let _ = self.canvas.set_attribute("tabindex", "0");
        }
        let canvas = self.canvas.clone();
        for name in ["pointerdown", "pointermove", "pointerup", "pointercancel"] {
            let (canvas, weak) = (canvas.clone(), weak.clone());
            self.listen(name, move |event: Event| {
                let Some(e) = event.dyn_ref::<PointerEvent>() else {
                    return;
                };
                let [x, y] = css_position(&canvas, e);
                let input = InputEvent {
                    kind: event.type_(),
                    x,
                    y,
                    pointer_id: e.pointer_id(),
                    ..InputEvent::default()
                };
                let used = with(&weak, |s| s.input(&input)) == Some(true);
                if used && input.kind == "pointerdown" {
                    let _ = canvas.set_pointer_capture(e.pointer_id());
                }
            });
        }
        self.listen("wheel", {
            let (canvas, weak) = (canvas.clone(), weak.clone());
            move |event: Event| {
                let Some(e) = event.dyn_ref::<WheelEvent>() else {
                    return;
                };
                e.prevent_default();
                let [x, y] = css_position(&canvas, e);
                let input = InputEvent {
                    kind: "wheel".into(),
                    x,
                    y,
                    delta_y: e.delta_y(),
                    delta_mode: e.delta_mode(),
                    ..InputEvent::default()
                };
                with(&weak, |s| s.input(&input));
            }
        });
        self.listen("keydown", {
            let weak = weak.clone();
            move |event: Event| {
                let Some(e) = event.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                let input = InputEvent {
                    kind: "keydown".into(),
                    key: e.key(),
                    ..InputEvent::default()
                };
                if with(&weak, |s| s.input(&input)) == Some(true) {
                    e.prevent_default();
                }
            }
        });
    }

    fn listen(&mut self, name: &'static str, handler: impl FnMut(Event) + 'static) {
        let closure = EventHandler::new(handler);
        let options = AddEventListenerOptions::new();
        // The wheel handler calls preventDefault, which a passive listener may not.
        options.set_passive(false);
        let _ = self
            .canvas
            .add_event_listener_with_callback_and_add_event_listener_options(
                name,
                closure.as_ref().unchecked_ref(),
                &options,
            );
        self.listeners.push((name, closure));
    }

    /// Removes every listener and stops observing resizes.
    pub(crate) fn detach(&mut self) {
        for (name, closure) in self.listeners.drain(..) {
            let _ = self
                .canvas
                .remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
        if let Some((observer, _)) = self.resize_observer.take() {
            observer.disconnect();
        }
    }
}

fn with<T>(weak: &Weak<Shared>, f: impl FnOnce(&Shared) -> T) -> Option<T> {
    weak.upgrade().map(|shared| f(&shared))
}

/// The event's position in CSS pixels from the canvas's top-left corner.
fn css_position(canvas: &HtmlCanvasElement, e: &MouseEvent) -> [f64; 2] {
    let rect = canvas.get_bounding_client_rect();
    [
        f64::from(e.client_x()) - rect.left(),
        f64::from(e.client_y()) - rect.top(),
    ]
}
