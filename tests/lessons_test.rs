//! The lessons: every embedded lesson file parses, and its check passes natively (each goal is
//! unmet when its step begins, met after its solution, and no solution command fails); invalid
//! lesson files are rejected with clear, path-qualified errors; progress survives a save/resume.

use kubeplay::lessons::{self, check, Lesson, LessonProgress, Playground};

#[test]
fn every_lesson_file_parses() {
    let (lessons, errors) = lessons::catalog();
    assert!(
        errors.is_empty(),
        "lesson files with errors:\n{}",
        errors.join("\n")
    );
    assert_eq!(lessons.len(), lessons::lesson_files().len());
    let with_goals = lessons.iter().filter(|l| !l.is_sandbox()).count();
    assert!(
        with_goals >= 5,
        "expected at least 5 lessons with goals, found {with_goals}"
    );
    assert!(lessons.iter().any(|l| l.id == "sandbox" && l.is_sandbox()));
}

#[test]
fn every_lesson_checks() {
    let (lessons, _) = lessons::catalog();
    let mut failures = Vec::new();
    for l in &lessons {
        let v = check::verify(l);
        if !v.passed() {
            failures.push(format!("{}:\n{}", l.id, v.errors.join("\n")));
        }
        // One log line per step (plus setup), so no step was skipped silently.
        assert!(
            v.log.len() >= l.steps.len() + 1 || !v.passed(),
            "{}: {:?}",
            l.id,
            v.log
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn checks_are_deterministic() {
    let l = lessons::find_lesson("thermostat").expect("thermostat lesson");
    assert_eq!(check::verify(&l), check::verify(&l));
}

const GOOD: &str = r#"
id: mini
title: Mini
track: controllers
summary: s
concept: c
setup:
  commands: [kubectl create deployment web --image=nginx:1.27 --replicas=2, kubectl rollout status deployment/web]
steps:
  - title: Scale
    instructions: Scale web to 3.
    hints: [one, two]
    solution: [kubectl scale deployment web --replicas=3, kubectl rollout status deployment/web]
    goal: {get: deploy/web, jsonpath: "{.status.availableReplicas}", equals: 3}
"#;

fn parse(text: &str) -> Result<Lesson, String> {
    Lesson::parse("mini.yaml", text)
}

#[test]
fn a_good_file_parses_and_checks() {
    let l = parse(GOOD).expect("valid");
    let v = check::verify(&l);
    assert!(v.passed(), "{:?}", v.errors);
}

#[test]
fn invalid_files_give_clear_errors() {
    let cases: Vec<(String, &str)> = vec![
        (GOOD.replace("hints:", "hintz:"), "unknown field `hintz`"),
        (GOOD.replace("    solution: [kubectl scale deployment web --replicas=3, kubectl rollout status deployment/web]\n", ""), "steps[0].solution: every step needs a solution"),
        (GOOD.replace("equals: 3", "equal: 3"), "steps[0].goal: unknown key `equal` (did you mean `equals`?)"),
        (GOOD.replace("{.status.availableReplicas}", "{.status.availableReplicas"), "steps[0].goal.jsonpath: unclosed"),
        (GOOD.replace("get: deploy/web", "get: widget/web"), "steps[0].goal.get: unknown resource type \"widget\""),
        (GOOD.replace("track: controllers", "track: magic"), "track: \"magic\" is not one of"),
        (GOOD.replace("id: mini", "id: Mini"), "id: \"Mini\" must be kebab-case"),
        (GOOD.replace("id: mini", "id: other"), "must match the file name (mini.yaml)"),
        (GOOD.replace("Scale web to 3.", "Delete $POD."), "steps[0].instructions: $POD is not captured"),
        (GOOD.replace(", equals: 3}", "}"), "say what the value must be"),
        (GOOD.replace("goal: {get", "goal: {all: [], x: 1, get"), "`all` must be the only key"),
        (GOOD.replace("summary: s", "summary: \"\""), "summary: must not be empty"),
        ("id: [unclosed".to_string(), "mini.yaml:"),
    ];
    for (text, want) in cases {
        match parse(&text) {
            Ok(_) => panic!("expected an error containing {want:?}"),
            Err(e) => {
                assert!(e.starts_with("mini.yaml: "), "errors name the file: {e}");
                assert!(e.contains(want), "error {e:?} should contain {want:?}");
            }
        }
    }
}

#[test]
fn check_rejects_a_goal_met_at_the_start() {
    // Self-healing trap: "3 pods Running" is already true before the learner deletes anything.
    let text = GOOD.replace(
        r#"goal: {get: deploy/web, jsonpath: "{.status.availableReplicas}", equals: 3}"#,
        r#"goal: {pods: {selector: app=web, status: Running}, count: {gte: 2}}"#,
    );
    let v = check::verify(&parse(&text).expect("valid"));
    assert!(!v.passed());
    assert!(
        v.errors[0].contains("already met when the step begins"),
        "{:?}",
        v.errors
    );
}

#[test]
fn check_rejects_a_failing_solution_and_an_unreached_goal() {
    let failing = GOOD.replace(
        "kubectl scale deployment web --replicas=3,",
        "kubectl scale deployment nope --replicas=3,",
    );
    let v = check::verify(&parse(&failing).expect("valid"));
    assert!(
        v.errors
            .iter()
            .any(|e| e.contains("steps[0].solution[0]") && e.contains("failed (exit 1)")),
        "{:?}",
        v.errors
    );

    let unreached = GOOD.replace("equals: 3", "equals: 4");
    let v = check::verify(&parse(&unreached).expect("valid"));
    assert!(
        v.errors
            .iter()
            .any(|e| e.contains("not met") && e.contains("(now: 3)")),
        "{:?}",
        v.errors
    );

    let bad_setup = GOOD.replace(
        "kubectl create deployment web",
        "kubectl create deploymnt web",
    );
    let v = check::verify(&parse(&bad_setup).expect("valid"));
    assert!(
        v.errors.iter().any(|e| e.contains("setup.commands[0]")),
        "{:?}",
        v.errors
    );
}

#[test]
fn hints_reveal_one_at_a_time_and_solutions_fill_variables() {
    let l = lessons::find_lesson("thermostat").expect("thermostat");
    let mut p = Playground::for_lesson(&l).expect("setup");
    let run = p.lesson_mut().expect("lesson");
    assert!(run.hints_revealed().is_empty());
    assert_eq!(run.hints_left(), 3);
    assert!(run.reveal_hint().is_some());
    assert_eq!(run.hints_revealed().len(), 1);
    let pod = run.vars().get("POD").cloned().expect("captured");
    assert!(pod.starts_with("web-"), "{pod}");
    assert_eq!(run.solution()[0], format!("kubectl delete pod {pod}"));
    assert!(run.reveal_hint().is_some() && run.reveal_hint().is_some());
    assert_eq!(run.reveal_hint(), None);
}

#[test]
fn goals_tick_as_the_learner_works_and_progress_resumes() {
    let l = lessons::find_lesson("thermostat").expect("thermostat");
    let mut p = Playground::for_lesson(&l).expect("setup");
    assert_eq!(p.check_lesson(), None);
    let pod = p
        .lesson()
        .and_then(|r| r.vars().get("POD").cloned())
        .expect("POD");
    // A wrong command does not tick the step; the right one does once time has passed.
    p.run_line("kubectl get pods");
    assert_eq!(p.check_lesson(), None);
    let o = p.run_line(&format!("kubectl delete pod {pod} --wait=false"));
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    assert_eq!(p.check_lesson(), None, "not before the replacement runs");
    let mut done = None;
    for _ in 0..60 {
        p.advance(1_000);
        done = p.check_lesson();
        if done.is_some() {
            break;
        }
    }
    let done = done.expect("step 1 ticks within a minute");
    assert_eq!((done.index, done.lesson_complete), (0, false));
    p.run_line("kubectl scale deployment web --replicas=5");
    p.lesson_mut().and_then(|r| r.reveal_hint());

    let saved = p.lesson_progress().expect("progress");
    assert_eq!(saved.step, 1);
    assert_eq!(saved.completed, vec![true, false, false]);
    let json = serde_json::to_string(&saved).expect("serialise");
    let back: LessonProgress = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, saved);

    let q = Playground::resume(&l, &back).expect("resume");
    let r = q.lesson().expect("lesson");
    assert_eq!(r.step_index(), 1);
    assert_eq!(r.completed(), &[true, false, false]);
    assert_eq!(r.hints_revealed().len(), 1);
    assert_eq!(
        q.view().revision,
        p.view().revision,
        "replay rebuilds the same cluster"
    );
}

#[test]
fn playing_a_lesson_in_the_terminal() {
    let l = lessons::find_lesson("cluster-tour").expect("cluster-tour");
    let input = "hint\nkubectl get nodes\nkubectl get pods -n kube-system -o wide\ngoal\nsolution run\nkubectl cluster-info\n";
    let mut out = Vec::new();
    let code = kubeplay::cli::play_lesson(&l, &mut input.as_bytes(), &mut out);
    let text = String::from_utf8_lossy(&out);
    assert_eq!(code, 0, "{text}");
    for want in [
        "Step 1/4",
        "Hint: ",
        "✓ Step 1 done",
        "✓ Step 2 done",
        "✓ Step 3 done",
        "✓ Step 4 done",
        "Lesson complete",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}

#[test]
fn the_guide_template_is_a_valid_lesson() {
    let guide = include_str!("../docs/LESSONS.md");
    let start = guide
        .find("```yaml\nid: scale-demo")
        .expect("template in docs/LESSONS.md")
        + "```yaml\n".len();
    let len = guide[start..].find("```").expect("end of template");
    let l =
        Lesson::parse("scale-demo.yaml", &guide[start..start + len]).expect("the template parses");
    let v = check::verify(&l);
    assert!(v.passed(), "{:?}", v.errors);
}

#[test]
fn setup_files_feed_kubectl_apply() {
    let text = GOOD.replace(
        "setup:\n  commands: [kubectl create deployment web --image=nginx:1.27 --replicas=2, kubectl rollout status deployment/web]",
        "setup:\n  files:\n    web.yaml: |\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: web, labels: {app: web}}\n      spec:\n        replicas: 2\n        selector: {matchLabels: {app: web}}\n        template:\n          metadata: {labels: {app: web}}\n          spec: {containers: [{name: nginx, image: \"nginx:1.27\"}]}\n  commands: [kubectl apply -f web.yaml, kubectl rollout status deployment/web]",
    );
    let l = parse(&text).expect("valid");
    assert_eq!(l.setup.files.len(), 1);
    let v = check::verify(&l);
    assert!(v.passed(), "{:?}", v.errors);
}
