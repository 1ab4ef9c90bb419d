//! Refused pod creations are retried: whatever order Deployments, the ServiceAccounts they name,
//! deletions of those accounts and the passing of time come in, once every account exists again
//! each Deployment's ReplicaSet ends up with all its pods (its back-off never exceeds 1000 s).

use kubeplay::lessons::Playground;
use kubeplay::sim::object::{Kind, Object};
use kubeplay::sim::SimConfig;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// Deployment `d{n}` with `r` replicas running as ServiceAccount `sa{m}`.
    Deploy(u8, u8, u8),
    CreateSa(u8),
    DeleteSa(u8),
    Wait(u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..3, 1u8..4, 0u8..3).prop_map(|(n, r, m)| Op::Deploy(n, r, m)),
        (0u8..3).prop_map(Op::CreateSa),
        (0u8..3).prop_map(Op::DeleteSa),
        (1u16..600).prop_map(Op::Wait),
    ]
}

fn line(p: &mut Playground, l: &str) {
    drop(p.run_line(l));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn refused_creations_converge_once_the_accounts_exist(ops in proptest::collection::vec(op(), 1..16), seed in 0u64..50) {
        let mut p = Playground::new(SimConfig { seed, ..SimConfig::default() });
        let mut wanted = [None::<u8>; 3];
        for o in &ops {
            match o {
                Op::Deploy(n, r, m) => {
                    line(&mut p, &format!("kubectl create deployment d{n} --image=nginx:1.27 --replicas={r}"));
                    line(&mut p, &format!("kubectl set serviceaccount deployment d{n} sa{m}"));
                    line(&mut p, &format!("kubectl scale deployment d{n} --replicas={r}"));
                    wanted[*n as usize] = Some(*r);
                }
                Op::CreateSa(m) => line(&mut p, &format!("kubectl create serviceaccount sa{m}")),
                Op::DeleteSa(m) => line(&mut p, &format!("kubectl delete serviceaccount sa{m} --wait=false")),
                Op::Wait(s) => p.advance(u64::from(*s) * 1000),
            }
        }
        for m in 0..3 {
            line(&mut p, &format!("kubectl create serviceaccount sa{m}"));
        }
        // Longer than the longest back-off (1000 s), the pull and the start.
        p.advance(1_100_000);
        let store = p.shell().sim().store();
        for (n, want) in wanted.iter().enumerate() {
            let Some(want) = want else { continue };
            let key = kubeplay::sim::store::ObjKey::new(Kind::Deployment, "default", &format!("d{n}"));
            let Some(d) = store.get(&key) else {
                prop_assert!(false, "d{n} is gone");
                continue;
            };
            let ready = match d.as_ref() {
                Object::Deployment(d) => d.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0),
                _ => 0,
            };
            prop_assert_eq!(ready, i32::from(*want), "d{} has {} of {} ready pods", n, ready, want);
        }
    }
}
