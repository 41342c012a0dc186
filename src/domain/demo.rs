//! The demo meeting embedded in the app (and a small meeting for tests): a realistic county
//! 双述双评 meeting with 40 village first secretaries in six townships, so the app shows the
//! whole product without any setup.

use super::meeting::{Meeting, MeetingFileV1, PresenterV1, default_meeting_file};

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何",
    "郭", "马", "罗",
];
const GIVEN: [&str; 40] = [
    "建国", "海燕", "志强", "秀兰", "卫东", "晓明", "红梅", "国庆", "丽娟", "永刚", "春燕", "德胜", "玉珍",
    "立新", "文静", "长青", "桂芳", "振华", "小龙", "淑英", "宏伟", "雪梅", "光明", "美玲", "学军", "金凤",
    "志刚", "翠花", "树林", "晓燕", "海涛", "玉兰", "新民", "彩霞", "爱国", "慧敏", "俊杰", "丹丹", "忠诚",
    "思远",
];
const TOWNSHIPS: [&str; 6] = ["城关镇", "石桥镇", "青山乡", "柳河乡", "黄土岭镇", "龙潭乡"];
const VILLAGES: [&str; 40] = [
    "东岗村",
    "西沟村",
    "南湾村",
    "北坡村",
    "杨家庄村",
    "李家河村",
    "大柳树村",
    "小石门村",
    "前进村",
    "红旗村",
    "新华村",
    "和平村",
    "双井村",
    "三岔口村",
    "五里铺村",
    "六合村",
    "七星村",
    "八里桥村",
    "九龙村",
    "十里店村",
    "白杨村",
    "青龙村",
    "金沙村",
    "银河村",
    "马家岭村",
    "王家坪村",
    "张家湾村",
    "赵家沟村",
    "孙家堡村",
    "周家寨村",
    "吴家营村",
    "郑家庄村",
    "梨树村",
    "枣园村",
    "桃花村",
    "杏林村",
    "松树村",
    "柏树村",
    "槐树村",
    "榆树村",
];

/// Id of the embedded demo meeting.
pub const DEMO_MEETING_ID: &str = "demo-2026-county-review";
/// How many presenters the demo draws for the plenary.
pub const DEMO_DRAW_COUNT: usize = 15;

/// The demo meeting file: 40 presenters P01–P40 with plausible names, villages, townships.
pub fn demo_meeting_file() -> MeetingFileV1 {
    let presenters = (0..40)
        .map(|i| PresenterV1 {
            id: format!("P{:02}", i + 1),
            name: format!("{}{}", SURNAMES[(i * 7) % SURNAMES.len()], GIVEN[i]),
            unit: VILLAGES[i].to_owned(),
            township: TOWNSHIPS[i % TOWNSHIPS.len()].to_owned(),
        })
        .collect();
    let mut file = default_meeting_file(
        DEMO_MEETING_ID,
        "2026年度驻村第一书记“双述双评”述职评议会（演示）",
        presenters,
    );
    file.date = "2026-12-18".to_owned();
    file.place = "县委党校报告厅".to_owned();
    file
}

/// The demo meeting, validated.
pub fn demo_meeting() -> Meeting {
    Meeting::try_from(demo_meeting_file()).expect("the embedded demo meeting is valid")
}

/// A four-presenter meeting for tests: default aspects, grades, groups (expected 3 / 2 / 2)
/// and rules; `credential` is "code" or "open".
pub fn small_meeting(credential: &str) -> Meeting {
    let presenters = ["甲", "乙", "丙", "丁"]
        .iter()
        .enumerate()
        .map(|(i, name)| PresenterV1 {
            id: format!("p{}", i + 1),
            name: format!("{name}某"),
            unit: format!("{name}村"),
            township: "城关镇".to_owned(),
        })
        .collect();
    let mut file = default_meeting_file("test-meeting", "测试会议", presenters);
    file.credential = credential.to_owned();
    for (group, expected) in file.groups.iter_mut().zip([3, 2, 2]) {
        group.expected = expected;
    }
    Meeting::try_from(file).expect("the small test meeting is valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn demo_meeting_is_valid_with_forty_distinct_presenters() {
        let m = demo_meeting();
        assert_eq!(m.presenters().len(), 40);
        let names: HashSet<_> = m.presenters().iter().map(|p| &p.name).collect();
        assert_eq!(names.len(), 40);
        assert_eq!(m.aspects().len(), 8);
        assert_eq!(m.aspects()[m.overall_aspect()].name, "总体评价");
    }
}
