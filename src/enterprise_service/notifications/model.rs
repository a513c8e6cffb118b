//! What a notification's kind is called on the pages.

/// The label of a notification kind ("overdue" → 逾期).
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "assigned" => "交办",
        "due_soon" => "即将到期",
        "overdue" => "逾期",
        "escalated" => "提级",
        "returned" => "退回",
        "extension" => "延期",
        "resolved" => "办结",
        "reopened" => "重办",
        "supervised" => "督办",
        _ => "通知",
    }
}
