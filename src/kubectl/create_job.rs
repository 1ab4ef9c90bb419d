//! `kubectl create job` and `kubectl create cronjob` (byte-identical `--dry-run=client -o yaml`),
//! `create job --from=cronjob/NAME`, and the `kubectl get` rows of Jobs and CronJobs.

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::args::{flag, FlagSpec, Parsed};
use super::outcome::Outcome;
use super::printers::{age, human_duration, yaml};
use crate::sim::controllers::{cronjob, job as jobctl};
use crate::sim::object::{Kind, Object};
use crate::sim::store::ObjKey;
use crate::sim::Sim;

pub(crate) const JOB_FLAGS: &[FlagSpec] = &[flag("image", None, true), flag("from", None, true)];
pub(crate) const CRONJOB_FLAGS: &[FlagSpec] = &[
    flag("image", None, true),
    flag("schedule", None, true),
    flag("restart", None, true),
];

use super::cmd::klog_failure;
use super::generate::{one_name, parse};

fn container(name: &str, image: &str, command: &Option<Vec<String>>) -> Container {
    Container {
        name: name.to_string(),
        image: Some(image.to_string()),
        command: command.clone().filter(|c| !c.is_empty()),
        resources: Some(Default::default()),
        ..Default::default()
    }
}

fn pod_template(c: Container, restart: &str) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: Some(ObjectMeta::default()),
        spec: Some(PodSpec {
            containers: vec![c],
            restart_policy: Some(restart.to_string()),
            ..Default::default()
        }),
    }
}

/// Sets `creationTimestamp: null` on every object meta kubectl's client-side object prints.
fn null_timestamps(v: &mut serde_json::Value, pointers: &[&str]) {
    for p in pointers {
        if let Some(m) = v.pointer_mut(p).and_then(|m| m.as_object_mut()) {
            m.insert("creationTimestamp".into(), serde_json::Value::Null);
        }
    }
}

/// Creates the object, or prints it for `--dry-run=client` (`pointers`: the object metas kubectl
/// prints `creationTimestamp: null` in). Every `create` generator ends here.
pub(crate) fn finish(sim: &mut Sim, p: &Parsed, obj: Object, pointers: &[&str]) -> Outcome {
    let kind = obj.kind();
    let name = obj.name().to_string();
    let output = p.get("output").unwrap_or("");
    let dry = p.get("dry-run").unwrap_or("none");
    if !matches!(dry, "none" | "client" | "server" | "true" | "false") {
        return Outcome::err(format!(
            "error: Invalid dry-run value ({dry}). Must be \"none\", \"server\", or \"client\".\n"
        ));
    }
    if !matches!(output, "" | "yaml" | "json" | "name") {
        return Outcome::err(format!(
            "error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: json,name,yaml\n"
        ));
    }
    let print = |v: &serde_json::Value, suffix: &str| match output {
        "yaml" => Outcome::ok(yaml(v)),
        "json" => Outcome::ok(super::printers::json_typed(v)),
        "name" => Outcome::ok(format!("{}/{name}\n", kind.qualified_singular())),
        _ => Outcome::ok(format!(
            "{}/{name} created{suffix}\n",
            kind.qualified_singular()
        )),
    };
    if dry == "client" || dry == "true" {
        let mut v = obj.to_json_value();
        if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            if p.get("namespace").is_none() {
                m.remove("namespace");
            }
        }
        null_timestamps(&mut v, pointers);
        return print(&v, " (dry run)");
    }
    match sim.create(obj) {
        Ok(o) => print(&o.to_json_value(), ""),
        Err(e) => Outcome::err(format!("{}\n", e.kubectl_message())),
    }
}

/// `kubectl create job NAME --image=IMAGE [-- COMMAND...]` or `--from=cronjob/NAME`.
pub fn job(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match parse(words, JOB_FLAGS, "kubectl create job") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let name = match one_name(&p, "job") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let image = p.get("image").unwrap_or("").to_string();
    let from = p.get("from").unwrap_or("").to_string();
    if image.is_empty() == from.is_empty() {
        return Outcome::err("error: either --image or --from must be specified\n");
    }
    let command = p.after_dash.clone();
    if command.as_ref().is_some_and(|c| !c.is_empty()) && !from.is_empty() {
        return Outcome::err("error: cannot specify --from and command\n");
    }
    let ns = p.namespace();
    let job = if from.is_empty() {
        Job {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(ns),
                ..Default::default()
            },
            spec: Some(JobSpec {
                template: pod_template(container(&name, &image, &command), "Never"),
                ..Default::default()
            }),
            status: Some(Default::default()),
        }
    } else {
        let Some((t, n)) = from.split_once('/') else {
            return Outcome::err(
                "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'\n",
            );
        };
        let Some(kind) = super::cmd::resolve_kind(t) else {
            return Outcome::err(format!(
                "error: the server doesn't have a resource type \"{t}\"\n"
            ));
        };
        let Some(src) = sim.get(&ObjKey::new(kind, &ns, n)).cloned() else {
            return super::cmd::not_found(kind, n);
        };
        if kind != Kind::CronJob {
            let go_type = format!("*v1.{}", kind.name());
            return Outcome::err(format!("error: unknown object type {go_type}\n"));
        }
        let Some(mut j) = cronjob::job_from_cronjob(&src, &name) else {
            return Outcome::err("error: unknown object type *v1.CronJob\n");
        };
        j.metadata.namespace = Some(ns);
        j.status = Some(Default::default());
        j
    };
    finish(
        sim,
        &p,
        Object::Job(job),
        &["/metadata", "/spec/template/metadata"],
    )
}

/// `kubectl create cronjob NAME --image=IMAGE --schedule=SPEC [--restart=...] [-- COMMAND...]`.
pub fn cronjob(sim: &mut Sim, words: &[String]) -> Outcome {
    let p = match parse(words, CRONJOB_FLAGS, "kubectl create cronjob") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let missing: Vec<&str> = ["image", "schedule"]
        .into_iter()
        .filter(|f| !p.has(f))
        .collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|f| format!("\"{f}\"")).collect();
        return Outcome::err(klog_failure(
            sim,
            &format!("required flag(s) {} not set", list.join(", ")),
        ));
    }
    let name = match one_name(&p, "cronjob") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let image = p.get("image").unwrap_or("").to_string();
    let schedule = p.get("schedule").unwrap_or("").to_string();
    let restart = p.get("restart").unwrap_or("OnFailure").to_string();
    let ns = p.namespace();
    let cj = CronJob {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(ns),
            ..Default::default()
        },
        spec: Some(CronJobSpec {
            schedule,
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    name: Some(name.clone()),
                    ..Default::default()
                }),
                spec: Some(JobSpec {
                    template: pod_template(container(&name, &image, &p.after_dash), &restart),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: Some(Default::default()),
    };
    finish(
        sim,
        &p,
        Object::CronJob(cj),
        &[
            "/metadata",
            "/spec/jobTemplate/metadata",
            "/spec/jobTemplate/spec/template/metadata",
        ],
    )
}

fn containers_images(spec: Option<&PodSpec>) -> (String, String) {
    let cs = spec.map(|s| s.containers.clone()).unwrap_or_default();
    (
        cs.iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(","),
        cs.iter()
            .map(|c| c.image.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// `metav1.FormatLabelSelector`: the requirements sorted by key, or `<none>`.
fn format_selector(sel: Option<&LabelSelector>) -> String {
    let Some(sel) = sel else {
        return "<none>".into();
    };
    let mut parts: Vec<(String, String)> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), format!("{k}={v}")))
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        let mut vals = e.values.clone().unwrap_or_default();
        crate::sort::sort(&mut vals);
        let vals = vals.join(",");
        let s = match e.operator.as_str() {
            "In" => format!("{} in ({vals})", e.key),
            "NotIn" => format!("{} notin ({vals})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            _ => continue,
        };
        parts.push((e.key.clone(), s));
    }
    crate::sort::sort(&mut parts);
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.into_iter().map(|p| p.1).collect::<Vec<_>>().join(",")
    }
}

/// The `kubectl get` cells of a Job (`printJob`) or CronJob (`printCronJob`).
pub fn row(sim: &Sim, o: &Object, wide: bool) -> Vec<String> {
    let now = sim.clock().now();
    let created = o.meta().creation_timestamp.as_ref().map(|t| t.0);
    let a = age(created.as_ref(), now);
    match o {
        Object::Job(j) => {
            let duration = jobctl::completion_or_now(j, now)
                .map(human_duration)
                .unwrap_or_default();
            let mut row = vec![
                o.name().to_string(),
                jobctl::status_cell(j),
                jobctl::completions_cell(j),
                duration,
                a,
            ];
            if wide {
                let spec = j.spec.as_ref();
                let (c, i) = containers_images(spec.and_then(|s| s.template.spec.as_ref()));
                row.extend([
                    c,
                    i,
                    format_selector(spec.and_then(|s| s.selector.as_ref())),
                ]);
            }
            row
        }
        Object::CronJob(c) => {
            let spec = c.spec.clone().unwrap_or_default();
            let st = c.status.clone().unwrap_or_default();
            let last = st
                .last_schedule_time
                .as_ref()
                .map(|t| age(Some(&t.0), now))
                .unwrap_or_else(|| "<none>".into());
            let suspend = match spec.suspend {
                Some(true) => "True",
                Some(false) => "False",
                None => "<unset>",
            };
            let mut row = vec![
                o.name().to_string(),
                spec.schedule.clone(),
                spec.time_zone.clone().unwrap_or_else(|| "<none>".into()),
                suspend.to_string(),
                st.active.as_ref().map_or(0, |a| a.len()).to_string(),
                last,
                a,
            ];
            if wide {
                let js = spec.job_template.spec.as_ref();
                let (cn, im) = containers_images(js.and_then(|s| s.template.spec.as_ref()));
                row.extend([
                    cn,
                    im,
                    format_selector(js.and_then(|s| s.selector.as_ref())),
                ]);
            }
            row
        }
        _ => vec![o.name().to_string()],
    }
}
