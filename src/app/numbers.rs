//! Numbers as the window shows them: readable from the back of a room, never wider than they
//! need to be (an R² of −8.3e24 after a blow-up must not stretch the status line).

/// A loss for people: 4 significant digits, scientific when tiny or huge.
pub fn format_loss(loss: f64) -> String {
    if !loss.is_finite() {
        return "—".to_owned();
    }
    let magnitude = loss.abs();
    if magnitude != 0.0 && !(1e-3..1e4).contains(&magnitude) {
        format!("{loss:.3e}")
    } else {
        format!("{loss:.4}")
    }
}

/// R² with three decimals; far below zero (a network that blew up) in short scientific form.
pub fn format_r2(r2: f64) -> String {
    if !r2.is_finite() {
        "—".to_owned()
    } else if r2 <= -1000.0 {
        format!("{r2:.1e}")
    } else {
        format!("{r2:.3}")
    }
}

/// A value in the data's own units with 4 significant digits.
pub fn format_value(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-3..1e6).contains(&magnitude) {
        return format!("{value:.3e}");
    }
    let digits = if magnitude == 0.0 {
        0
    } else {
        (3 - magnitude.log10().floor() as i32).max(0)
    };
    format!("{value:.*}", digits as usize)
}

/// 12345 → "12 345" (thin space), readable from the back of a room.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

/// "1 row", "2 rows".
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        thousands(n as u64),
        if n == 1 { singular } else { plural }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blown_up_r2_stays_short() {
        assert_eq!(format_r2(-8.3e24), "-8.3e24");
        assert_eq!(format_r2(0.98765), "0.988");
        assert_eq!(format_r2(-3.2), "-3.200");
        assert_eq!(format_r2(f64::NAN), "—");
    }

    #[test]
    fn values_keep_four_significant_digits() {
        assert_eq!(format_value(2.3456), "2.346");
        assert_eq!(format_value(123.456), "123.5");
        assert_eq!(format_value(0.0), "0");
        assert_eq!(format_value(4.2e-7), "4.200e-7");
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(
            count(1, "validation row", "validation rows"),
            "1 validation row"
        );
        assert_eq!(count(12345, "row", "rows"), "12\u{2009}345 rows");
    }

    #[test]
    fn losses_switch_to_scientific_far_from_one() {
        assert_eq!(format_loss(0.01234), "0.0123");
        assert_eq!(format_loss(8.3e24), "8.300e24");
    }
}
