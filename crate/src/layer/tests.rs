use super::*;
use crate::error::WgslProblem;

const BANDS: &str = "\
fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    let band = floor(value * u.bands) / u.bands;
    return vec4(ramp(band).rgb, select(0.0, 1.0, value > 0.0));
}
";

fn custom(name: &str, wgsl: &str) -> LayerSpec {
    LayerSpec {
        uniforms: vec![("bands".into(), UniformValue::F32(5.0))],
        ..LayerSpec::custom(name, wgsl)
    }
}

/// The WGSL error of adding `wgsl` as a layer: (problem, line, column, message).
fn wgsl_error(wgsl: &str) -> (WgslProblem, Option<u32>, Option<u32>, String) {
    match LayerStack::default().add(custom("bad", wgsl), None) {
        Err(Error::Wgsl {
            problem,
            line,
            column,
            message,
            ..
        }) => (problem, line, column, message),
        other => panic!("expected a WGSL error, got {other:?}"),
    }
}

#[test]
fn built_in_shaders_validate() {
    for kind in [LayerKind::Heat, LayerKind::Points, LayerKind::Contours] {
        let source = kind.built_in_source().expect("built-in");
        let checked = LayerShader::compile(kind.name(), source, &kind.built_in_uniforms())
            .unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        let used = kind.built_in_shader().expect("built-in");
        assert_eq!(checked.module(), used.module(), "{}", kind.name());
        assert!(!checked.is_animated(), "{} is not animated", kind.name());
    }
}

#[test]
fn custom_layer_compiles_and_splices_after_the_source() {
    let mut stack = LayerStack::default();
    let layer = stack.add(custom("bands", BANDS), None).expect("valid");
    assert_eq!(layer.kind(), LayerKind::Custom);
    assert!(layer.needs_gpu());
    assert!(layer.shader().module().starts_with(BANDS));
    assert!(layer.shader().module().contains("fn geoheat_fs"));
    assert!(!stack.is_plain_heat(Capabilities::GPU));
}

#[test]
fn syntax_error_is_at_the_users_line_and_column() {
    let (problem, line, column, message) = wgsl_error(
        "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    let x = value *;\n    return vec4(x);\n}\n",
    );
    assert_eq!(problem, WgslProblem::Syntax);
    assert_eq!((line, column), (Some(2), Some(20)), "{message}");
}

#[test]
fn unknown_name_is_located() {
    let (problem, line, column, message) = wgsl_error(
        "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n  return vec4(undefined_thing);\n}\n",
    );
    assert_eq!(problem, WgslProblem::Syntax);
    assert_eq!((line, column), (Some(2), Some(15)), "{message}");
    assert!(message.contains("undefined_thing"), "{message}");
}

#[test]
fn unclosed_block_is_reported_at_the_end_of_the_source() {
    let source =
        "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n  return vec4(value);\n";
    let (problem, line, _, _) = wgsl_error(source);
    assert_eq!(problem, WgslProblem::Syntax);
    assert_eq!(line, Some(3));
}

#[test]
fn wrong_signature_names_the_expected_one() {
    let (problem, line, _, message) =
        wgsl_error("\n\nfn shade(value: f32) -> vec4<f32> {\n  return vec4(value);\n}\n");
    assert_eq!(problem, WgslProblem::Entry);
    assert_eq!(line, Some(3));
    assert!(
        message.contains("fn shade(value: f32) -> vec4<f32>"),
        "{message}"
    );
    assert!(message.contains(SHADE_SIGNATURE), "{message}");

    let (problem, _, _, message) = wgsl_error(
        "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec3<f32> { return vec3(value); }",
    );
    assert_eq!(problem, WgslProblem::Entry);
    assert!(message.contains("-> vec3<f32>"), "{message}");
}

#[test]
fn missing_shade_is_an_entry_error() {
    let (problem, _, _, message) = wgsl_error("fn paint(v: f32) -> vec4<f32> { return vec4(v); }");
    assert_eq!(problem, WgslProblem::Entry);
    assert!(message.contains("defines no `shade`"), "{message}");
}

#[test]
fn own_bindings_and_entry_points_are_refused() {
    let (problem, line, column, message) = wgsl_error(
        "@group(2) @binding(0) var<uniform> secret: vec4<f32>;\n\
         fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> { return secret; }\n",
    );
    assert_eq!(problem, WgslProblem::Binding);
    assert_eq!(line, Some(1));
    assert!(column.is_some());
    assert!(
        message.contains("@group(2) @binding(0) var secret"),
        "{message}"
    );

    let (problem, line, _, message) = wgsl_error(&format!(
        "{BANDS}\n@fragment\nfn main() -> @location(0) vec4<f32> {{ return vec4(1.0); }}\n"
    ));
    assert_eq!(problem, WgslProblem::Binding);
    assert_eq!(line, Some(6));
    assert!(message.contains("entry point `main`"), "{message}");
}

#[test]
fn validation_errors_name_the_problem() {
    // Parses, but returning from a function without a return value is invalid... naga's front
    // end catches most things; the validator catches a missing return.
    let (problem, _, _, message) = wgsl_error(
        "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n  if value > 0.5 { return vec4(1.0); }\n}\n",
    );
    assert!(
        matches!(problem, WgslProblem::Invalid | WgslProblem::Syntax),
        "{problem:?}: {message}"
    );
    assert!(!message.is_empty());
}

#[test]
fn reading_time_makes_a_layer_animated() {
    let pulse = "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n\
                 let s = 0.5 + 0.5 * sin(geoheat.time * 3.0);\n\
                 return vec4(1.0, 0.2, 0.1, value * s);\n}\n";
    let mut stack = LayerStack::default();
    stack
        .add(LayerSpec::custom("pulse", pulse), None)
        .expect("valid");
    assert!(stack.is_animated());
    stack
        .update(
            "pulse",
            LayerUpdate {
                visible: Some(false),
                ..LayerUpdate::default()
            },
        )
        .expect("hide");
    assert!(
        !stack.is_animated(),
        "a hidden animated layer does not animate"
    );
    stack.add(custom("bands", BANDS), None).expect("valid");
    assert!(!stack.get("bands").expect("added").is_animated());
}

#[test]
fn bad_hot_swap_keeps_the_old_shader() {
    let mut stack = LayerStack::default();
    stack.add(custom("bands", BANDS), None).expect("valid");
    let before = stack.clone();
    let error = stack
        .update(
            "bands",
            LayerUpdate {
                wgsl: Some("fn shade(".into()),
                ..LayerUpdate::default()
            },
        )
        .expect_err("bad WGSL");
    assert_eq!(error.code(), "WGSL_SYNTAX");
    assert_eq!(stack, before, "a failed update changes nothing");

    let swapped = BANDS.replace("floor", "round");
    let old_id = stack.get("bands").expect("exists").shader().id();
    stack
        .update(
            "bands",
            LayerUpdate {
                wgsl: Some(swapped.clone()),
                ..LayerUpdate::default()
            },
        )
        .expect("valid swap");
    let layer = stack.get("bands").expect("exists");
    assert_eq!(layer.shader().source(), swapped);
    assert_ne!(layer.shader().id(), old_id);
    assert!(stack.revision() > before.revision());
}

#[test]
fn stack_operations_check_names_and_types() {
    let mut stack = LayerStack::default();
    assert!(stack.is_plain_heat(Capabilities::GPU));
    assert_eq!(
        stack
            .add(LayerSpec::built_in("heat", LayerKind::Points), None)
            .expect_err("duplicate")
            .code(),
        "LAYER"
    );
    stack
        .add(LayerSpec::built_in("dots", LayerKind::Points), Some("heat"))
        .expect("below heat");
    assert_eq!(stack.layers()[0].name(), "dots");
    assert!(
        stack
            .set_uniform("dots", "radius", UniformValue::Vec2([1.0, 2.0]))
            .is_err()
    );
    assert!(
        stack
            .set_uniform("dots", "size", UniformValue::F32(1.0))
            .is_err()
    );
    stack
        .set_uniform("dots", "radius", UniformValue::F32(4.0))
        .expect("declared f32");
    assert_eq!(
        stack.get("dots").expect("exists").uniform_f32("radius"),
        4.0
    );
    assert!(stack.remove("nope").is_err());
    assert!(
        stack
            .update(
                "heat",
                LayerUpdate {
                    wgsl: Some(BANDS.into()),
                    ..LayerUpdate::default()
                }
            )
            .is_err(),
        "built-ins take no WGSL"
    );
    assert!(
        stack
            .update(
                "heat",
                LayerUpdate {
                    opacity: Some(1.5),
                    ..LayerUpdate::default()
                }
            )
            .is_err()
    );
    stack.remove("dots").expect("exists");
    assert!(stack.is_plain_heat(Capabilities::GPU));
}

#[test]
fn uniform_layout_matches_naga() {
    let uniforms = Uniforms::new(
        "t",
        vec![
            ("a".into(), UniformValue::F32(1.0)),
            ("b".into(), UniformValue::Vec3([2.0, 3.0, 4.0])),
            ("c".into(), UniformValue::F32(5.0)),
            ("d".into(), UniformValue::Vec2([6.0, 7.0])),
            ("e".into(), UniformValue::Vec4([8.0, 9.0, 10.0, 11.0])),
        ],
    )
    .expect("valid");
    let module = naga::front::wgsl::parse_str(&uniforms.wgsl_declaration()).expect("parses");
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).expect("layout");
    let (handle, ty) = module
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some("Uniforms"))
        .expect("struct");
    let naga::TypeInner::Struct { members, .. } = &ty.inner else {
        panic!("not a struct");
    };
    let mut bytes = Vec::new();
    uniforms.to_bytes(&mut bytes);
    assert_eq!(
        bytes.len() as u32,
        layouter[handle].size.next_multiple_of(16)
    );
    for (member, (_, value)) in members.iter().zip(uniforms.iter()) {
        let offset = member.offset as usize;
        let first = f32::from_le_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes"));
        assert_eq!(first, value.as_slice()[0], "member {:?}", member.name);
    }
}

#[test]
fn keyword_uniform_names_are_layer_errors() {
    let spec = LayerSpec {
        uniforms: vec![("let".into(), UniformValue::F32(1.0))],
        ..LayerSpec::custom("k", BANDS)
    };
    let error = LayerStack::default().add(spec, None).expect_err("keyword");
    assert_eq!(error.code(), "LAYER", "{error}");
}

#[test]
fn demo_examples_validate() {
    // (name, source, uniforms as the demo declares them, animated)
    type Example = (
        &'static str,
        &'static str,
        Vec<(String, UniformValue)>,
        bool,
    );
    let examples: [Example; 3] = [
        (
            "bands",
            include_str!("../../shaders/examples/bands.wgsl"),
            vec![("bands".into(), UniformValue::F32(6.0))],
            false,
        ),
        (
            "pulse",
            include_str!("../../shaders/examples/pulse.wgsl"),
            vec![
                ("level".into(), UniformValue::F32(0.3)),
                ("speed".into(), UniformValue::F32(3.0)),
            ],
            true,
        ),
        (
            "mask",
            include_str!("../../shaders/examples/mask.wgsl"),
            vec![
                ("threshold".into(), UniformValue::F32(0.25)),
                ("veil".into(), UniformValue::Vec4([0.0, 0.0, 0.0, 0.6])),
            ],
            false,
        ),
    ];
    for (name, wgsl, uniforms, animated) in examples {
        let spec = LayerSpec {
            uniforms,
            ..LayerSpec::custom(name, wgsl)
        };
        let mut stack = LayerStack::default();
        let layer = stack
            .add(spec, None)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(layer.is_animated(), animated, "{name}");
    }
}
