//! Pointer, wheel, keyboard and resize input on the canvas, turned into view changes.

use super::Shared;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{
    AddEventListenerOptions, Event, HtmlCanvasElement, KeyboardEvent, PointerEvent, ResizeObserver,
    WheelEvent,
};

/// CSS pixels an arrow key pans by.
const KEY_PAN_PX: f64 = 100.0;
/// Wheel pixels per zoom level (a mouse notch is ~100 px: a third of a level).
const WHEEL_PX_PER_ZOOM: f64 = 300.0;

type EventHandler = Closure<dyn FnMut(Event)>;
type ResizeHandler = Closure<dyn FnMut(js_sys::Array)>;

/// Pointers currently down on the canvas (at most two are used: drag, pinch).
#[derive(Default)]
struct Gesture {
    pointers: Vec<(i32, [f64; 2])>,
}

/// The listeners attached to the canvas; dropping them detaches nothing, so call `detach`.
pub(crate) struct Input {
    canvas: HtmlCanvasElement,
    listeners: Vec<(&'static str, EventHandler)>,
    resize_observer: Option<(ResizeObserver, ResizeHandler)>,
}

impl Input {
    /// Listens for resizes always, and for pan/zoom input when `interactive`.
    pub(crate) fn attach(
        canvas: &HtmlCanvasElement,
        shared: &Rc<Shared>,
        interactive: bool,
    ) -> Self {
        let mut input = Input {
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
        let gesture = Rc::new(RefCell::new(Gesture::default()));
        let canvas = self.canvas.clone();

        self.listen("pointerdown", {
            let (gesture, canvas) = (gesture.clone(), canvas.clone());
            move |event: Event| {
                let Some(e) = event.dyn_ref::<PointerEvent>() else {
                    return;
                };
                let _ = canvas.set_pointer_capture(e.pointer_id());
                let mut g = gesture.borrow_mut();
                if g.pointers.len() < 2 {
                    g.pointers.push((e.pointer_id(), css_position(&canvas, e)));
                }
            }
        });
        self.listen("pointermove", {
            let (gesture, canvas, weak) = (gesture.clone(), canvas.clone(), weak.clone());
            move |event: Event| {
                let Some(e) = event.dyn_ref::<PointerEvent>() else {
                    return;
                };
                let mut g = gesture.borrow_mut();
                let Some(index) = g.pointers.iter().position(|(id, _)| *id == e.pointer_id())
                else {
                    return;
                };
                let old = g.pointers.clone();
                g.pointers[index].1 = css_position(&canvas, e);
                let new = g.pointers.clone();
                drop(g);
                with(&weak, |s| s.gesture(&old, &new));
            }
        });
        for name in ["pointerup", "pointercancel"] {
            let gesture = gesture.clone();
            self.listen(name, move |event: Event| {
                if let Some(e) = event.dyn_ref::<PointerEvent>() {
                    gesture
                        .borrow_mut()
                        .pointers
                        .retain(|(id, _)| *id != e.pointer_id());
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
                let pixels = match e.delta_mode() {
                    WheelEvent::DOM_DELTA_LINE => e.delta_y() * 16.0,
                    WheelEvent::DOM_DELTA_PAGE => e.delta_y() * f64::from(canvas.client_height()),
                    _ => e.delta_y(),
                };
                let anchor = css_position(&canvas, e);
                with(&weak, |s| {
                    s.zoom_by((-pixels / WHEEL_PX_PER_ZOOM).clamp(-1.0, 1.0), Some(anchor))
                });
            }
        });
        self.listen("keydown", {
            let weak = weak.clone();
            move |event: Event| {
                let Some(e) = event.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                let handled = with(&weak, |s| match e.key().as_str() {
                    "+" | "=" => s.zoom_by(1.0, None),
                    "-" | "_" => s.zoom_by(-1.0, None),
                    "ArrowLeft" => s.pan(KEY_PAN_PX, 0.0),
                    "ArrowRight" => s.pan(-KEY_PAN_PX, 0.0),
                    "ArrowUp" => s.pan(0.0, KEY_PAN_PX),
                    "ArrowDown" => s.pan(0.0, -KEY_PAN_PX),
                    _ => false,
                });
                if handled == Some(true) {
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
fn css_position(canvas: &HtmlCanvasElement, e: &web_sys::MouseEvent) -> [f64; 2] {
    let rect = canvas.get_bounding_client_rect();
    [
        f64::from(e.client_x()) - rect.left(),
        f64::from(e.client_y()) - rect.top(),
    ]
}
