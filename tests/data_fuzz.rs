//! Random bytes and random mutations of valid CSV files must never make the loader panic or
//! hang: every input ends in `Ok` or a `DataError`. Seeded, so a failure reproduces exactly.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::AtomicBool;

use nanograd::data::{ColumnRef, LoadOptions, inspect_report, load_csv_bytes};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Valid files the mutations start from: the awkward cases in miniature.
const SEEDS: [&[u8]; 8] = [
    b"x,y\n1,2\n2,4\n3,9\n",
    b"temp;rate\n1,5;2,25\n2,5;6,25\n-3,5;12,25\n",
    b"label,x,y\n\"Smith, John\",1,2\n\"two\nlines\",2,4\nplain,NA,8\n",
    b"\xef\xbb\xbfa\tb\tc\r\n1\t2\t3\r\n4\t5\t6\r\n",
    b"x|y\r1|10\r2|20\r3|inf\r",
    b"x,x,,y\n1,2,3,4\n2,3,4,6\n",
    b"\xff\xfex\x00,\x00y\x00\n\x001\x00,\x002\x00\n\x003\x00,\x004\x00\n\x00",
    b"t\xe9mp;d\xe9bit\n1,5;10\n2,5;20\n",
];

/// Bytes that tend to upset CSV and encoding handling.
const SPICY: [u8; 14] = [
    b'"', b',', b';', b'\t', b'|', b'\n', b'\r', 0, 0xFF, 0xFE, 0xEF, 0xBB, b'.', b'e',
];

/// Characters random "CSV-ish" files are drawn from.
const CSV_ALPHABET: &[u8] = b"0123456789.,;\t|\"\n\r -eNA";

fn mutate(rng: &mut ChaCha8Rng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    let n_edits = rng.random_range(1..6u32);
    for _ in 0..n_edits {
        let at = rng.random_range(0..=bytes.len());
        let byte = if rng.random_range(0..2u32) == 0 {
            SPICY[rng.random_range(0..SPICY.len())]
        } else {
            rng.random::<u8>()
        };
        match rng.random_range(0..4u32) {
            0 => bytes.insert(at, byte),
            1 if at < bytes.len() => {
                bytes.remove(at);
            }
            2 if at < bytes.len() => bytes[at] = byte,
            _ => bytes.truncate(at),
        }
    }
    bytes
}

/// Loads, and on success exercises everything downstream of the loader too. Returns whether
/// the bytes loaded, so the tests can check they reach past the refusals.
fn exercise(bytes: &[u8]) -> bool {
    let Ok(table) = load_csv_bytes(
        bytes,
        "fuzz",
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    ) else {
        return false;
    };
    let _ = inspect_report("fuzz", &table, None).map(|r| (r.to_text(), serde_json::to_string(&r)));
    let numeric = table.numeric_columns();
    if let [.., x, y] = numeric[..] {
        let x = [ColumnRef::Index(x)];
        if let Ok((data, report)) = table.select(&x, &ColumnRef::Index(y)) {
            assert_eq!(data.n_rows(), report.used);
            assert!(data.x.iter().chain(&data.y).all(|v| v.is_finite()));
            let _ = data.split(0.25, 1);
            let _ = report.summary();
        }
        let _ = inspect_report("fuzz", &table, Some((&x, &ColumnRef::Index(y))));
    }
    true
}

fn check(case: usize, bytes: &[u8]) -> bool {
    match catch_unwind(AssertUnwindSafe(|| exercise(bytes))) {
        Ok(loaded) => loaded,
        Err(_) => panic!("case {case}: the loader panicked on {bytes:?}"),
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
    let mut n_loaded = 0;
    for case in 0..2000 {
        let len = rng.random_range(0..400usize);
        let alphabet_only = case % 2 == 0;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if alphabet_only {
                    // Mostly CSV-ish characters, so the parser gets past the binary check.
                    CSV_ALPHABET[rng.random_range(0..CSV_ALPHABET.len())]
                } else {
                    rng.random::<u8>()
                }
            })
            .collect();
        n_loaded += usize::from(check(case, &bytes));
    }
    eprintln!("random bytes: {n_loaded} of 2000 loaded");
    assert!(
        n_loaded >= 50,
        "some CSV-ish inputs should load, got {n_loaded}"
    );
}

#[test]
fn mutated_valid_files_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut n_loaded = 0;
    for case in 0..4000 {
        let seed = SEEDS[case % SEEDS.len()];
        let bytes = mutate(&mut rng, seed);
        n_loaded += usize::from(check(case, &bytes));
    }
    eprintln!("mutations: {n_loaded} of 4000 loaded");
    assert!(
        n_loaded > 1000,
        "most light mutations should still load, got {n_loaded}"
    );
}

#[test]
fn every_prefix_of_a_valid_file_is_handled() {
    for seed in SEEDS {
        for end in 0..=seed.len() {
            let _ = check(end, &seed[..end]);
        }
    }
}

/// Found while reviewing for the cargo-fuzz targets (fuzz/): a header repeating one name was
/// made unique in cubic time (each repeat searched every earlier name for every suffix), so a
/// 6 KB header of 3,000 `a`s took 33 s to load.
#[test]
fn a_header_repeating_one_name_thousands_of_times_loads_at_once() {
    let n = 5000;
    let mut csv = vec!["a"; n].join(",");
    csv.push('\n');
    for row in 0..3 {
        let cells: Vec<String> = (0..n).map(|c| (row * c + row).to_string()).collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    let start = std::time::Instant::now();
    let table = load_csv_bytes(
        csv.as_bytes(),
        "repeats",
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("loads");
    let names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names[..3], ["a", "a (2)", "a (3)"]);
    assert_eq!(names[n - 1], format!("a ({n})"));
    assert!(
        start.elapsed().as_secs() < 20,
        "{n} repeated names took {:?}",
        start.elapsed()
    );
}

/// Found while reviewing for the cargo-fuzz targets (fuzz/): every ragged row stored one
/// value per header column, so a 60 KB file (20,000 empty header cells over 20,000 one-field
/// rows) took 3.2 GB and 42 s. Ragged rows now store nothing.
#[test]
fn short_rows_under_a_wide_header_do_not_multiply_memory() {
    let n = 16_000;
    // A delimiter at the end of every complete line (a spreadsheet export), short rows between.
    let trail = ",".repeat(n);
    let mut csv = format!("x,y{trail}\n1,2{trail}\n4,5{trail}\n");
    csv.push_str(&"7\n".repeat(n));
    csv.push_str(&format!("8,10{trail}\n"));
    let table = load_csv_bytes(
        csv.as_bytes(),
        "wide",
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("loads: three rows are complete");
    assert_eq!(table.columns().len(), 2);
    assert_eq!(table.n_rows(), n + 3);
    let x = table.numeric_values(0).expect("numeric");
    assert_eq!(x.len(), n + 3);
    assert_eq!((x[0], x[1], x[n + 2]), (1.0, 4.0, 8.0));
    assert!(x[2..n + 2].iter().all(|v| v.is_nan()));
    let (data, report) = table
        .select(&[ColumnRef::from("x")], &ColumnRef::from("y"))
        .expect("selects");
    assert_eq!(data.x, [1.0, 4.0, 8.0]);
    assert_eq!(data.y, [2.0, 5.0, 10.0]);
    assert_eq!(report.skipped, n);
    #[cfg(target_os = "linux")]
    {
        // The peak of the whole test process: the small fuzz cases beside this test stay far
        // below it; before the fix this file alone needed 16,000² values (2 GB).
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let peak_kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0);
        assert!(peak_kb < 512 * 1024, "peak memory {peak_kb} kB");
    }
}
