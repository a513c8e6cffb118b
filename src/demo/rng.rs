//! A small deterministic generator (xorshift64*), so that demo data is the same on every run.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..hi` (hi exclusive; hi > lo).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo) as u64) as i64
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: i64) -> bool {
        self.range(0, 100) < percent
    }
    /// Uniform in [0, 1), from the top 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [lo, hi).
    pub fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    /// A standard normal deviate (Box–Muller), for log-normal amounts.
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    /// An index drawn with the given weights (not all zero).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let (mut a, mut b) = (super::Rng::new(7), super::Rng::new(7));
        assert_eq!(
            (0..5).map(|_| a.range(0, 100)).collect::<Vec<_>>(),
            (0..5).map(|_| b.range(0, 100)).collect::<Vec<_>>()
        );
        assert!((0..1000).map(|_| a.range(5, 10)).all(|x| (5..10).contains(&x)));
    }

    #[test]
    fn normal_deviates_centre_on_zero_and_weights_are_honoured() {
        let mut r = super::Rng::new(3);
        let n = 20_000;
        let mean = (0..n).map(|_| r.normal()).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.05, "{mean}");
        let heavy = (0..n).filter(|_| r.weighted(&[1.0, 3.0]) == 1).count();
        assert!((0.72..0.78).contains(&(heavy as f64 / n as f64)), "{heavy}");
    }
}
