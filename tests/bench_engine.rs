//! The autograd engine through the benchmark protocol must reproduce the reference trainers'
//! numbers, so no speed-up can quietly change the maths.

use nanograd::bench::{BenchConfig, BenchTrainer, EngineTrainer, ReferenceTrainer};

/// (config, initial MSE, MSE after 200 steps) from the reference trainers' README (shared/bench), where numpy
/// and PyTorch agree on them to 4e-5 relative.
const REFERENCE: [(&str, f64, f64); 4] = [
    ("tiny", 0.520714, 0.0299338),
    ("small", 0.533888, 0.00037849),
    ("medium", 0.462765, 0.0204543),
    ("wide", 4.136671, 0.450871),
];

fn train_200_steps(trainer: &mut impl BenchTrainer, cfg: &BenchConfig) -> f64 {
    for step in 0..200 {
        trainer.step(step % cfg.steps_per_epoch);
    }
    trainer.full_mse()
}

#[test]
fn engine_matches_the_reference_mse_after_200_steps_on_every_config() {
    for (name, initial, after_200) in REFERENCE {
        let cfg = BenchConfig::by_name(name).expect("protocol config");
        let mut engine = EngineTrainer::new(cfg);
        let init_mse = engine.full_mse();
        assert!(
            (init_mse - initial).abs() / initial < 1e-4,
            "{name}: initial MSE {init_mse} vs {initial}"
        );
        let final_mse = train_200_steps(&mut engine, cfg);
        assert!(
            (final_mse - after_200).abs() / after_200 < 1e-4,
            "{name}: MSE after 200 steps {final_mse} vs {after_200}"
        );
    }
}

// `--threads`: the batch cut into shards on separate threads, the shard gradients summed.
// Only the order of the sums changes, so the same 1e-4 bound must hold; three shards leave
// unequal shards (a batch of 100 or 200 rows does not divide by three).
#[test]
fn sharded_engine_matches_the_reference_mse_after_200_steps_on_every_config() {
    for threads in [2, 3] {
        for (name, _, after_200) in REFERENCE {
            let cfg = BenchConfig::by_name(name).expect("protocol config");
            let mut engine = EngineTrainer::with_threads(cfg, threads);
            assert_eq!(engine.threads(), threads, "{name}: workers did not start");
            let final_mse = train_200_steps(&mut engine, cfg);
            assert!(
                (final_mse - after_200).abs() / after_200 < 1e-4,
                "{name}, {threads} threads: MSE after 200 steps {final_mse} vs {after_200}"
            );
        }
    }
}

#[test]
fn engine_reset_returns_to_the_initial_state() {
    let cfg = BenchConfig::by_name("medium").expect("protocol config");
    let mut engine = EngineTrainer::new(cfg);
    let first = train_200_steps(&mut engine, cfg);
    engine.reset();
    let second = train_200_steps(&mut engine, cfg);
    assert_eq!(
        first.to_bits(),
        second.to_bits(),
        "a reset run repeats bit for bit"
    );
}

#[test]
fn engine_and_hand_written_reference_agree_step_by_step() {
    // The reference trainer is plain loops with hand-derived gradients; the engine derives
    // them by autograd. Their MSE must agree closely at every step, not only at 200.
    let cfg = BenchConfig::by_name("tiny").expect("protocol config");
    let mut engine = EngineTrainer::new(cfg);
    let mut reference = ReferenceTrainer::new(cfg);
    for step in 0..50 {
        engine.step(0);
        BenchTrainer::step(&mut reference, 0);
        let (e, r) = (engine.full_mse(), BenchTrainer::full_mse(&mut reference));
        assert!(
            (e - r).abs() / r < 1e-4,
            "step {step}: engine {e} vs reference {r}"
        );
    }
}

// `--threads 2` shards only the configurations whose step has work for two threads.
#[test]
fn threads_go_only_where_the_step_is_large_enough() {
    use nanograd::bench::threads_worth_using;
    let threads = |name: &str, requested: usize| {
        threads_worth_using(BenchConfig::by_name(name).expect("config"), requested)
    };
    assert_eq!(threads("tiny", 2), 1);
    assert_eq!(threads("medium", 2), 1);
    assert_eq!(threads("small", 2), 2);
    assert_eq!(threads("small", 1), 1);
    assert_eq!(
        threads("small", 8),
        2,
        "6.5 MFLOP a step feeds two threads, not eight"
    );
    assert_eq!(threads("wide", 8), 8);
}
