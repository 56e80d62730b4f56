"""The demo articles, as data. All prose is invented: the places and people do not exist.

Gazette prose uses typographic quotes (as WordPress would print them); the Ledger's hand-rolled
CMS keeps straight quotes, except the legacy windows-1252 story, which is the point of that page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from newsmill.pipeline.demo.model import Ago, Comment, Figure, Heading, Para, Revision, Story, Tweet

GAZETTE_TZ = 1  # hours east of UTC, as printed in the Gazette's markup
LEDGER_TZ = 2

# --- The Harbour Gazette ---------------------------------------------------------------------

DREDGING = Story(
    key="gazette-dredging",
    publisher="gazette",
    number=4171,
    slug="harbour-board-approves-dredging-of-sallow-channel",
    title="Harbour board approves dredging of the Sallow channel after decade-long dispute",
    standfirst=(
        "Work to deepen the silted approach to Port Aldwick will begin in the spring, ending a "
        "row that pitted fishing crews against conservation groups."
    ),
    authors=("Maren Ostby", "Tomas Keller"),
    section="News",
    tags=("harbour", "dredging", "Port Aldwick"),
    published=Ago(1, 8, 40, GAZETTE_TZ),
    edited_minutes=95,
    lead=Figure(
        "sallow-channel.png",
        "A trawler waits for the tide at the mouth of the Sallow channel.",
        "Photo: Tomas Keller",
        "Trawler at the harbour mouth",
    ),
    image_credit="Featured image via Aldwick Picture Agency",
    body=(
        Para(
            "The Port Aldwick Harbour Board has approved a £6.2m scheme to dredge the Sallow "
            "channel, bringing to an end more than ten years of argument over how to keep the "
            "town’s working harbour open to larger vessels."
        ),
        Para(
            "Board members voted seven to two in favour of the plan, which will remove around "
            "180,000 cubic metres of silt from the approach channel and the inner basin. Work is "
            "expected to start in March and take roughly eighteen weeks."
        ),
        Para(
            "Skippers have warned for years that the channel has become too shallow at low water "
            "for the trawlers that still land at the fish quay. Several boats now wait offshore "
            "for the tide, and two have run aground on the Middle Bank since last autumn."
        ),
        Heading("A compromise on the mudflats"),
        Para(
            "Earlier versions of the scheme were abandoned after objections from the Sallow "
            "Estuary Trust, which argued that dumping dredged material at sea would smother the "
            "feeding grounds used by wading birds each winter."
        ),
        Para(
            "The approved plan instead sends about a third of the silt to raise the eroding salt "
            "marsh at Cobble Reach, an idea first put forward by the trust’s own ecologists. The "
            "remainder will be taken to a licensed disposal site twelve miles offshore."
        ),
        Para(
            "“It is not everything we asked for, but it is a great deal better than where we "
            "started,” said Ines Karlsson, the trust’s director. “If the marsh works as we hope, "
            "the birds gain more ground than they lose.”"
        ),
        Para(
            "The Port Aldwick Fishermen’s Association, which packed the public gallery for the "
            "vote, welcomed the decision within minutes:"
        ),
        Tweet(
            "Seven votes to two. After ten years of waiting the channel gets dredged. Thank you "
            "to every skipper who turned up tonight.",
            "Aldwick Fishermen",
            "AldwickFishers",
            "1790412233504417792",
        ),
        Heading("Who pays"),
        Para(
            "Funding will come from a mix of harbour reserves, a loan from the county council and "
            "a coastal communities grant worth £1.9m. Mooring fees will rise by four per cent "
            "next year to help repay the loan, the board confirmed."
        ),
        Para(
            "Leisure berth holders have questioned why they should share the cost of a project "
            "designed mainly for commercial boats. Harbour master Gideon Pryce said deeper water "
            "would benefit every user of the port, including the lifeboat, which has twice been "
            "delayed by the tide this year."
        ),
        Figure(
            "middle-bank.png",
            "The Middle Bank exposed at low water, seen from the north breakwater.",
            "Photo: Maren Ostby",
            "Sandbank at low tide",
        ),
        Para(
            "A public meeting to explain the timetable is due to be held at the Seamen’s "
            "Institute later this month, and the board has promised to publish the full "
            "environmental assessment before then."
        ),
    ),
    comments=(
        Comment(
            "Bill Tregear",
            "About time. My father was complaining about that bank back in the eighties.",
            3,
        ),
        Comment(
            "S. Lindqvist",
            "Good to see the marsh getting some of the spoil rather than all of it going out to "
            "sea. Credit to the trust for sticking with it.",
            5,
        ),
        Comment(
            "harbourwatcher",
            "Four per cent on moorings for a channel I never use at low water? Not impressed.",
            9,
        ),
    ),
)

_FARES_OPENING: tuple[Para | Heading | Tweet, ...] = (
    Para(
        "Fares on the ferry between Port Aldwick and the island of Holm will rise by eight per "
        "cent from the start of next month, the operator Island Link has announced."
    ),
    Para(
        "A single adult foot passenger ticket will go up from £7.50 to £8.10, while the standard "
        "fare for a car and driver will rise from £41 to £44.30. Season tickets used by commuters "
        "and schoolchildren will increase by a smaller amount, about five per cent."
    ),
    Para(
        "In a statement, Island Link said the cost of marine diesel had risen sharply over the "
        "past year and that a new pay agreement with its crews, reached in the spring, added "
        "around £600,000 a year to its wage bill."
    ),
    Heading("Islanders ‘paying twice’"),
    Para(
        "Holm’s representative on the county council, Fenella Gask, said the rise would fall "
        "hardest on people who had no choice but to use the service. “Islanders already pay more "
        "for almost everything because it has to come across on the boat,” she said. “Now they "
        "pay more for the crossing itself. It feels like paying twice.”"
    ),
    Para(
        "The island has around 1,400 permanent residents, many of whom travel to the mainland "
        "for work, hospital appointments and secondary school."
    ),
    Para(
        "The Holm Community Council said it had written to the operator asking for the increase "
        "to be delayed:"
    ),
    Tweet(
        "We will be asking Island Link to meet residents before any new fares take effect. "
        "Please send us your views by email.",
        "Holm Community Council",
        "HolmCC",
        "1790398817260310528",
    ),
    Heading("Timetable unchanged"),
    Para(
        "Island Link said it would keep the current timetable of six return sailings a day and "
        "had no plans to cut services. Its managing director, Robert Ainsley, said the company "
        "had absorbed higher costs for two years before deciding that a rise could no longer be "
        "avoided."
    ),
    Para(
        "“Nobody likes putting prices up, and we have kept this as low as we responsibly can,” "
        "he said. “The alternative would be fewer sailings, and we do not think that is what "
        "anyone on Holm wants.”"
    ),
)

_FARES_FIGURE = Figure(
    "holm-ferry.png",
    "The Holm ferry leaving the linkspan at Port Aldwick.",
    "Photo: Priya Nandakumar",
    "Ferry leaving port",
)

FARES = Story(
    key="gazette-fares",
    publisher="gazette",
    number=4165,
    slug="ferry-fares-to-rise-by-eight-per-cent",
    title="Ferry fares to rise by eight per cent as operator blames fuel and crew costs",
    standfirst=(
        "Island Link says the increase on the Port Aldwick to Holm crossing is unavoidable, but "
        "councillors warn it will hit islanders hardest."
    ),
    authors=("Priya Nandakumar",),
    section="Business",
    tags=("ferries", "Holm", "transport"),
    published=Ago(3, 11, 5, GAZETTE_TZ),
    edited_minutes=40,
    lead=_FARES_FIGURE,
    image_credit="Featured image via Holm Community Archive",
    body=(
        *_FARES_OPENING,
        Para(
            "The operator receives an annual subsidy from the county council under a contract "
            "that runs until 2028. The council’s transport committee is due to discuss the "
            "contract at its next meeting."
        ),
    ),
    revision=Revision(
        body=(
            *_FARES_OPENING,
            Para(
                "The operator receives an annual subsidy from the county council under a "
                "contract that runs until 2028. The council’s transport committee has brought "
                "its discussion of the contract forward to an extra meeting next week."
            ),
            Para(
                "Update: Island Link has since agreed to meet Holm residents at the island hall "
                "before the new fares take effect, the community council said in a statement."
            ),
        ),
        modified=Ago(1, 15, 30, GAZETTE_TZ),
    ),
    comments=(
        Comment(
            "Morag on Holm",
            "I cross four days a week for work. That’s another £10 a month I don’t have.",
            2,
        ),
        Comment("T. Ainsworth", "Still cheaper than the Kestlemouth crossing, to be fair.", 6),
    ),
)

# Shared verbatim with the Ledger's syndicated copy: that identity is the point of the case.
SEALS_LEAD = Figure(
    "seal-pup.png",
    "A grey seal pup on the shingle at Skerrow Point.",
    "Photo: Sallow Estuary Trust",
    "Seal pup on shingle",
)
SEALS_BODY: tuple[Para | Heading | Figure, ...] = (
    Para(
        "Volunteers monitoring the grey seal colony at Skerrow Point have recorded 312 pups this "
        "season, the highest number since counts began on the spit in 1998."
    ),
    Para(
        "The total is almost twice the 164 pups counted five years ago, and follows a steady rise "
        "that wildlife officers believe is linked to fewer disturbances since the spit was closed "
        "to walkers during the pupping months."
    ),
    Para(
        "The count is carried out every few days from October to January by a team of around "
        "forty volunteers, who walk a fixed route along the landward edge of the colony and "
        "record each new pup along with its approximate age."
    ),
    Heading("Quiet beaches"),
    Para(
        "Dr Alun Feary, who coordinates the survey for the Sallow Estuary Trust, said the "
        "closure had made a visible difference. “Seals are very sensitive to people and dogs at "
        "this time of year. A mother who is disturbed may leave her pup for long periods, and "
        "that can be the difference between a pup surviving or not,” he said.",
        links=(("Sallow Estuary Trust", "story:gazette-dredging"),),
    ),
    Para(
        "Before the seasonal closure was introduced, volunteers regularly found pups that had "
        "been abandoned after walkers came too close. This year only three such cases were "
        "recorded."
    ),
    Figure(
        "skerrow-count.png",
        "Volunteers log new pups from the dune path during a morning count.",
        "Photo: Hana Wexley",
        "Volunteers with clipboards on a dune path",
    ),
    Heading("Storms remain the biggest threat"),
    Para(
        "The colony is not without problems. Two storms in November pushed high tides over the "
        "lower part of the spit, and volunteers found a number of young pups washed into the "
        "dunes behind. Most were later reunited with their mothers."
    ),
    Para(
        "Dr Feary said rising sea levels could eventually reduce the area of shingle available "
        "to the seals, and the trust is working with the county council on a long-term plan for "
        "the spit."
    ),
    Para(
        "The viewing platform at the southern end of Skerrow Point remains open throughout the "
        "season, and volunteers will be on hand at weekends to answer questions from visitors."
    ),
)
SEALS_TITLE = "Volunteers count record number of grey seal pups on Skerrow Point"
SEALS_STANDFIRST = (
    "More than 300 pups were recorded on the shingle spit this season, almost double the figure "
    "from five years ago."
)

SEALS = Story(
    key="gazette-seals",
    publisher="gazette",
    number=4158,
    slug="record-number-of-grey-seal-pups-on-skerrow-point",
    title=SEALS_TITLE,
    standfirst=SEALS_STANDFIRST,
    authors=("Hana Wexley",),
    section="Environment",
    tags=("wildlife", "seals", "Skerrow Point"),
    published=Ago(4, 7, 30, GAZETTE_TZ),
    lead=SEALS_LEAD,
    image_credit="Featured image via Sallow Estuary Trust",
    body=SEALS_BODY,
    comments=(
        Comment(
            "Jen Corrie",
            "We went to the platform last Sunday and the volunteers were brilliant with the kids.",
            4,
        ),
        Comment("Pete M", "Fantastic news. Keep the dogs away, folks.", 7),
    ),
)

LIDO = Story(
    key="gazette-lido",
    publisher="gazette",
    number=4150,
    slug="council-votes-to-keep-kestlemouth-lido-open",
    title="Council votes to keep Kestlemouth lido open through the winter",
    standfirst=(
        "Cold-water swimmers celebrate after councillors reverse a plan to close the seafront "
        "pool from October to April."
    ),
    authors=("Tomas Keller",),
    section="News",
    tags=("Kestlemouth", "lido", "council"),
    published=Ago(5, 16, 20, GAZETTE_TZ),
    edited_minutes=25,
    lead=Figure(
        "kestlemouth-lido.png",
        "Early swimmers at Kestlemouth lido on a grey morning.",
        "Photo: Tomas Keller",
        "Swimmers in an outdoor pool",
    ),
    image_credit="Featured image via Kestlemouth Icebreakers",
    body=(
        Para(
            "Kestlemouth’s seafront lido will stay open all year after councillors reversed a "
            "decision to close it during the winter months to save money."
        ),
        Para(
            "The town council had proposed shutting the unheated pool from October to April, "
            "saving an estimated £38,000 a year in staffing and water treatment costs. But after "
            "a petition signed by more than 2,600 people, members voted at a full council meeting "
            "to keep it open, with reduced hours on weekdays.",
            links=(("a petition", "https://petitions.example.org/kestlemouth-lido"),),
        ),
        Heading("A winter community"),
        Para(
            "The lido, built in 1936, has become a gathering place for a growing group of "
            "year-round swimmers, some of whom swim every morning regardless of the weather."
        ),
        Para(
            "“People think we are mad, and maybe we are a little,” said Carys Penhallow, who "
            "founded the Kestlemouth Icebreakers swimming group four years ago. “But for a lot of "
            "people, especially older people who live alone, this is the one time in the day they "
            "see anyone.”"
        ),
        Para("The group announced the result to its members shortly after the vote:"),
        Tweet(
            "WE DID IT. The lido stays open all winter. Thank you to all 2,600 of you who signed. "
            "See you at 7am sharp.",
            "Kestlemouth Icebreakers",
            "KestleIce",
            "1789991034420559872",
        ),
        Heading("Savings found elsewhere"),
        Para(
            "To cover the cost, the council will reduce opening hours at the Harbour Street "
            "tourist information centre during the winter and will seek sponsorship for the "
            "lido’s changing rooms, which need repairs."
        ),
        Para(
            "Council leader Owen Treloar said the decision showed that the authority listened. "
            "“We proposed the closure because we have to balance the books, not because we "
            "wanted to,” he said. “The swimmers have made a strong case, and they have also "
            "offered practical help, including volunteer stewards on quiet mornings.”"
        ),
        Para(
            "Lifeguards will be on duty during all winter opening hours, and the council said "
            "swimmers would be asked to sign a cold-water safety declaration before their first "
            "visit."
        ),
        Para(
            "The Icebreakers have also offered to organise a monthly litter-pick along the "
            "promenade through the winter, which they describe as their way of thanking the town."
        ),
    ),
    comments=(
        Comment("Glenys Harte", "Best news all year. The 7am crowd is the friendliest in town.", 1),
        Comment("Mark D.", "Fine, but please fix the showers.", 3),
        Comment(
            "Rosie",
            "Shutting the tourist office early instead seems like a fair swap to me.",
            8,
        ),
    ),
)

FESTIVAL = Story(
    key="gazette-festival",
    publisher="gazette",
    number=4142,
    slug="harbour-festival-line-up-brass-bands-night-market",
    title="Harbour Festival line-up brings back the brass bands and adds a night market",
    standfirst=(
        "Organisers promise the biggest programme in the festival’s forty-year history, with "
        "events spread across three weekends."
    ),
    authors=("Dafydd Orme", "Lucia Ferrante"),
    section="Culture",
    tags=("festival", "music", "Port Aldwick"),
    published=Ago(6, 10, 0, GAZETTE_TZ),
    lead=Figure(
        "festival-quay.png",
        "The fish quay, where the brass band contest returns this summer.",
        "Photo: Dafydd Orme",
        "Bunting over a quayside",
    ),
    image_credit="Featured image via Harbour Festival Trust",
    body=(
        Para(
            "The Port Aldwick Harbour Festival will bring back its traditional brass band "
            "contest this summer after a six-year absence, organisers have announced as they "
            "unveiled the programme for the event’s fortieth year."
        ),
        Para(
            "Eleven bands from across the region have signed up to compete on the fish quay on "
            "the festival’s opening Saturday, reviving a contest that was dropped when the old "
            "bandstand was judged unsafe."
        ),
        Para(
            "The programme also includes a new night market on the inner harbour, with stalls "
            "lit by lanterns and open until eleven on both Friday evenings of the festival."
        ),
        Para(
            "Other additions include a sea-shanty workshop for schools, guided walks along the "
            "old ropewalk and a race for home-built rafts, last held in the 1990s and revived at "
            "the request of the harbour’s rowing clubs."
        ),
        Heading("Spread over three weekends"),
        Para(
            "For the first time the festival will run over three weekends rather than one, a "
            "change organisers say is intended to reduce crowding in the narrow streets around "
            "the harbour and give local businesses a longer boost."
        ),
        Para(
            "“When everything happens in two days the town simply cannot cope, and half the "
            "people who come never get near the water,” said festival director Anwen Tilley. "
            "“Spreading it out means residents can enjoy it too.”"
        ),
        Figure(
            "lantern-loft.png",
            "Lantern-makers at work in the old net loft ahead of the festival.",
            "Photo: Lucia Ferrante",
            "Paper lanterns drying on a line",
        ),
        Heading("Tickets and travel"),
        Para(
            "Most events remain free. Tickets for the closing concert in the harbour car park, "
            "headlined by the folk group The Tideline Sisters, go on sale next week at £18."
        ),
        Para(
            "Extra park-and-ride buses will run from the showground on festival weekends, and "
            "the harbour road will close to traffic from midday on each Saturday."
        ),
        Para(
            "Organisers are still looking for volunteers to help with stewarding and the "
            "children’s boat-building workshop, and can be contacted through the festival office "
            "on Quay Street."
        ),
    ),
    comments=(
        Comment(
            "Harry Voss",
            "Brass bands on the quay! My grandad played in the Aldwick Silver Band for thirty "
            "years.",
            2,
        ),
        Comment("Imogen", "Three weekends is a much better idea. Last year was chaos.", 5),
    ),
)

ROWING = Story(
    key="gazette-rowing",
    publisher="gazette",
    number=4136,
    slug="port-aldwick-rowing-crew-take-coastal-cup",
    title="Port Aldwick rowing crew take the coastal cup for the first time in 31 years",
    standfirst=(
        "The club’s veteran crew held off the holders in a tense final sprint across Brenna Sound."
    ),
    authors=("Callum Reid",),
    section="Sport",
    tags=("rowing", "Brenna Sound"),
    published=Ago(8, 19, 45, GAZETTE_TZ),
    edited_minutes=10,
    lead=Figure(
        "coastal-cup.png",
        "The Port Aldwick crew cross the line a boat length clear.",
        "Photo: Callum Reid",
        "Rowing gig at a finish line",
    ),
    image_credit="Featured image via Brenna Sound Rowing Association",
    body=(
        Para(
            "Port Aldwick Rowing Club have won the Coastal Challenge Cup for the first time since "
            "1994, beating the holders Kestlemouth by less than a boat length in the final across "
            "Brenna Sound."
        ),
        Para(
            "The four-oared gig, with a crew whose combined age is over two hundred, trailed for "
            "most of the two-mile course before drawing level in the last few hundred metres as "
            "the tide turned against the leaders."
        ),
        Para(
            "Victory also earns the club a place at the national gig championships in the "
            "spring, where it will race against more than sixty crews from around the country."
        ),
        Heading("A long wait"),
        Para(
            "The cup, first contested in 1911, is raced each summer between the six clubs of the "
            "harbour coast. Port Aldwick had reached the final four times in the last decade and "
            "lost every one."
        ),
        Para(
            "Stroke Morwenna Hale, who was in the club’s junior squad when it last won, said the "
            "crew had trained through the winter on dark mornings before work. “We kept telling "
            "ourselves it was our year, and for once it actually was,” she said."
        ),
        Para(
            "Kestlemouth’s captain, Tobias Venn, was gracious in defeat. “They rowed the tide "
            "better than we did, simple as that,” he said. “We will be back for it next year.”"
        ),
        Heading("Celebrations on the quay"),
        Para(
            "Hundreds of supporters lined the harbour wall to welcome the crew home, and the cup "
            "was filled, by tradition, with seawater before being passed around the crowd."
        ),
        Para(
            "Club chairman Ellis Varley said the win would help recruitment. “We have a new boat "
            "on order and we need young rowers to fill it,” he said. “There is no better advert "
            "than this.”"
        ),
        Para(
            "The club will defend the cup next summer on home water, with the final to be held "
            "inside the harbour breakwater for the first time."
        ),
    ),
    comments=(
        Comment("Kev Tonkin", "Brilliant row. Goosebumps watching them come past the pierhead.", 1),
        Comment("Ann-Marie Cole", "Well done Morwenna and crew! 1994 was a long time ago.", 4),
    ),
)

MUSEUM = Story(
    key="gazette-museum",
    publisher="gazette",
    number=1207,
    slug="lighthouse-cottage-to-become-maritime-museum",
    title="Lighthouse cottage at Brenna Head to become a maritime museum",
    standfirst=(
        "The keeper’s cottage, empty since the light was automated, will house the town’s "
        "collection of ship models and charts."
    ),
    authors=("Ruth Abernethy",),
    section="Culture",
    tags=("museum", "Brenna Head", "lighthouse"),
    published=datetime(2019, 3, 14, 10, 30, tzinfo=UTC),
    edited_minutes=60,
    archive=True,
    lead=Figure(
        "brenna-head.png",
        "The keeper’s cottage beside Brenna Head lighthouse.",
        "Photo: Ruth Abernethy",
        "White cottage beside a lighthouse",
    ),
    image_credit="Featured image via Brenna Maritime Society",
    body=(
        Para(
            "The former keeper’s cottage at Brenna Head lighthouse is to be turned into a small "
            "maritime museum after the county council agreed to lease it to a local heritage "
            "group for a nominal rent."
        ),
        Para(
            "The cottage has stood empty since the lighthouse was automated in 1989, and its "
            "condition has worsened in recent winters. The Brenna Maritime Society plans to "
            "repair the roof and windows this summer and open the museum to visitors next spring."
        ),
        Heading("Ship models and charts"),
        Para(
            "The society’s collection includes more than sixty ship models, many made by local "
            "fishermen during the long winters, along with charts, logbooks and photographs "
            "donated by families in the harbour towns."
        ),
        Para(
            "Much of it has been kept in members’ attics and garages for years. “We have had "
            "nowhere to show it,” said society secretary Edwin Marsh. “Now it will sit in the one "
            "building that every sailor on this coast has looked at.”"
        ),
        Para(
            "Among the highlights is a builder’s model of the steam drifter Morning Star, which "
            "sailed from Port Aldwick for almost forty years and was lost with all hands in 1931. "
            "Descendants of her crew have agreed to lend letters and a watch recovered from the "
            "wreck."
        ),
        Para(
            "The society has raised £48,000 towards the restoration, including a grant from a "
            "national heritage fund, and hopes to find the remaining £15,000 through a public "
            "appeal."
        ),
        Heading("Access by the coast path"),
        Para(
            "Visitors will reach the museum along the coast path from the Brenna Head car park, a "
            "walk of about half a mile. The society has asked the council to consider a small "
            "number of disabled parking spaces closer to the lighthouse."
        ),
        Para(
            "The lighthouse itself will remain closed to the public, as it is still an "
            "operational aid to navigation."
        ),
    ),
)

PIER = Story(
    key="gazette-pier",
    publisher="gazette",
    number=1533,
    slug="storm-oriel-tears-section-of-north-pier-away",
    title="Storm Oriel tears section of north pier away at Port Aldwick",
    standfirst=(
        "Harbour staff say it could be months before the pier reopens after waves ripped away a "
        "thirty-metre stretch of its deck."
    ),
    authors=("Tomas Keller", "Ruth Abernethy"),
    section="News",
    tags=("storm", "north pier", "weather"),
    published=datetime(2019, 11, 2, 18, 10, tzinfo=UTC),
    edited_minutes=150,
    archive=True,
    lead=Figure(
        "north-pier.png",
        "The broken end of the north pier the morning after the storm.",
        "Photo: Tomas Keller",
        "Damaged wooden pier",
    ),
    image_credit="Featured image via Aldwick Picture Agency",
    body=(
        Para(
            "A thirty-metre section of the north pier at Port Aldwick was torn away by waves "
            "overnight as Storm Oriel brought gusts of more than eighty miles an hour to the "
            "harbour coast."
        ),
        Para(
            "No one was hurt, but the pier, which is used by anglers and by boats landing "
            "shellfish, has been closed indefinitely. Harbour staff fenced off the landward end "
            "at first light after debris was found scattered across the outer basin."
        ),
        Heading("‘Like a bomb had gone off’"),
        Para(
            "Jory Pascoe, who lives in one of the cottages overlooking the pier, said he was "
            "woken by a series of loud cracks shortly after three in the morning. “When it got "
            "light it looked like a bomb had gone off. Planks everywhere, railings bent double,” "
            "he said."
        ),
        Para(
            "The pier dates from 1874 and was last substantially repaired in the 1970s. An "
            "engineer’s report two years ago warned that parts of its timber structure were "
            "nearing the end of their life."
        ),
        Heading("Boats moved to the inner harbour"),
        Para(
            "Several fishing boats that normally tie up at the pier were moved into the inner "
            "harbour before the storm arrived, after warnings from the harbour master. One small "
            "crabber broke its moorings and was later recovered, badly damaged, on the beach "
            "below the coastguard station."
        ),
        Para(
            "Across the region the storm brought down trees and power lines, and around 3,000 "
            "homes were without electricity for part of the day. The coast road between Port "
            "Aldwick and Kestlemouth was closed for several hours because of fallen debris."
        ),
        Para(
            "The harbour board said it would meet next week to assess the damage and would seek "
            "emergency funding for repairs."
        ),
        Para(
            "Anglers who fish from the pier at night have been asked to keep away from the outer "
            "harbour wall as well until divers have inspected its foundations."
        ),
    ),
    comments=(
        Comment(
            "Derek Sallis",
            "That pier has been falling apart for years. Hope they fix it properly this time.",
            2,
        ),
    ),
)

SWIM = Story(
    key="gazette-swim",
    publisher="gazette",
    number=1398,
    slug="brenna-sound-swim-raises-record-sum-for-lifeboat",
    title="Brenna Sound swim raises record sum for the lifeboat station",
    standfirst=(
        "More than 200 swimmers crossed the sound in calm seas, raising over £31,000 for a new "
        "boarding boat."
    ),
    authors=("Callum Reid",),
    section="Sport",
    tags=("swimming", "lifeboat", "Brenna Sound"),
    published=datetime(2019, 7, 20, 14, 0, tzinfo=timezone(timedelta(hours=GAZETTE_TZ))),
    edited_minutes=45,
    archive=True,
    lead=Figure(
        "sound-swim.png",
        "Swimmers set off from the slipway at Brenna Head.",
        "Photo: Callum Reid",
        "Swimmers entering the sea",
    ),
    image_credit="Featured image via Port Aldwick Lifeboat Station",
    body=(
        Para(
            "A record 214 swimmers took part in the annual Brenna Sound crossing, raising more "
            "than £31,000 for the Port Aldwick lifeboat station."
        ),
        Para(
            "The mile-long swim from the slipway at Brenna Head to the beach below the "
            "coastguard cottages has been held every summer since 1972, but organisers said this "
            "year’s calm water and warm weather had drawn the biggest field in its history."
        ),
        Heading("Fastest crossing in a decade"),
        Para(
            "The first swimmer home was Kestlemouth schoolteacher Niamh Corrigan, who completed "
            "the crossing in 24 minutes and 10 seconds, the fastest time recorded since 2009. She "
            "said she had trained in the harbour every evening since Easter."
        ),
        Para(
            "“I grew up watching the lifeboat go out from my bedroom window, so this one has "
            "always meant a lot to me,” she said. “The water was like glass. I don’t think we "
            "will get a morning like that again for years.”"
        ),
        Para(
            "The oldest finisher was 81-year-old Walter Prideaux, a retired harbour pilot who has "
            "now completed the swim forty times. He was cheered ashore by several generations of "
            "his family."
        ),
        Heading("A new boarding boat"),
        Para(
            "The money will go towards a small inshore boarding boat, used to ferry crew out to "
            "the all-weather lifeboat when it is moored in the outer harbour. The current boat is "
            "more than twenty years old and has been patched repeatedly."
        ),
        Para(
            "Lifeboat operations manager Kerensa Hocking thanked the safety kayakers and the "
            "coastguard team who escorted swimmers across the sound. “It takes almost as many "
            "people on the water to look after the swimmers as there are swimmers,” she said."
        ),
        Para(
            "Next year’s crossing is provisionally set for the last Saturday in July, and "
            "registrations will open in the spring."
        ),
    ),
    comments=(
        Comment(
            "Sue Prideaux",
            "So proud of Grandad. Forty crossings and still smiling at the end.",
            5,
        ),
    ),
)

FISH_MARKET = Story(
    key="gazette-fish-market",
    publisher="gazette",
    number=1102,
    slug="port-aldwick-fish-market-moves-to-dawn-start",
    title="Port Aldwick fish market moves to a dawn start to catch early buyers",
    standfirst=(
        "Auctions will begin at five in the morning from next month, two hours earlier than at "
        "present, in an attempt to win back restaurant trade."
    ),
    authors=("Graham Pellow",),
    section="Business",
    tags=("fish market", "Port Aldwick"),
    published=datetime(2019, 1, 28, 9, 45, tzinfo=UTC),
    edited_minutes=20,
    archive=True,
    lead=Figure(
        "fish-market.png",
        "Boxes of the morning’s landings laid out on the market floor.",
        "Photo: Graham Pellow",
        "Fish boxes on a market floor",
    ),
    image_credit="Featured image via Aldwick Picture Agency",
    body=(
        Para(
            "The fish market on Port Aldwick quay is to start its daily auctions at five in the "
            "morning from next month, two hours earlier than now, in an attempt to win back "
            "buyers who have drifted to larger ports along the coast."
        ),
        Para(
            "The change was agreed by the harbour board after a survey of merchants found that "
            "many restaurant suppliers wanted fish on the road by seven, so that it could reach "
            "city kitchens before lunch service."
        ),
        Heading("Competing with bigger ports"),
        Para(
            "Landings at Port Aldwick have held up in recent years, but an increasing share of "
            "the catch is being trucked to other markets to be sold. Skippers say they would "
            "prefer to sell locally if the prices were there."
        ),
        Para(
            "“If the buyers are not on the quay, the fish goes where the buyers are,” said "
            "merchant Alan Treharne, whose family has bought at the market for three "
            "generations. “An earlier start gives us a fighting chance.”"
        ),
        Para(
            "The market will also introduce an online catalogue listing each morning’s landings "
            "by six the evening before, allowing buyers who cannot attend in person to place bids "
            "in advance."
        ),
        Heading("Longer nights for market staff"),
        Para(
            "Not everyone is happy with the change. Market porters, who will now need to start "
            "work at four, have asked for an extra allowance for the earlier shift, and talks "
            "with the harbour board are continuing."
        ),
        Para(
            "The board said the new hours would be reviewed after six months, and that the "
            "market would return to its current timetable if the earlier auctions failed to "
            "attract more buyers."
        ),
    ),
)

NIGHT_BUS = Story(
    key="gazette-night-bus",
    publisher="gazette",
    number=4180,
    slug="night-bus-trial-extended-to-harbour-district",
    title="Night bus trial extended to the harbour district after strong take-up",
    standfirst=(
        "The late-night service will now stop at the fish quay and the Seamen’s Institute until "
        "the end of the year."
    ),
    authors=("Priya Nandakumar",),
    section="News",
    tags=("buses", "transport", "Port Aldwick"),
    published=Ago(1, 18, 30, GAZETTE_TZ),
    edited_minutes=15,
    edition=2,
    lead=Figure(
        "night-bus.png",
        "The N1 waiting at the railway station stop.",
        "Photo: Priya Nandakumar",
        "Bus at night",
    ),
    image_credit="Featured image via Aldwick Picture Agency",
    body=(
        Para(
            "A trial of late-night buses in Port Aldwick is to be extended to the harbour "
            "district after the first two months showed passenger numbers well above "
            "expectations."
        ),
        Para(
            "The N1 service, which runs hourly from ten in the evening until two in the morning "
            "on Fridays and Saturdays, currently links the railway station with the housing "
            "estates on the hill. From next month it will also loop down to the fish quay and "
            "the Seamen’s Institute."
        ),
        Heading("Shift workers"),
        Para(
            "The change was requested by workers at the fish processing units on the quay, many "
            "of whom finish late shifts after the last regular bus has gone. Until now most have "
            "relied on lifts or taxis, which can be hard to find after midnight."
        ),
        Para(
            "“A taxi up the hill costs me almost a third of what I earn on a Saturday shift,” "
            "said Dorota Wysocka, who packs shellfish at one of the quay units. “The bus makes a "
            "real difference.”"
        ),
        Para(
            "County council figures show an average of 46 passengers a night used the N1 during "
            "its first eight weeks, against a target of 30.",
            links=(("County council figures", "https://transport.example.org/n1-trial"),),
        ),
        Heading("Funding beyond December"),
        Para(
            "The trial is paid for by a one-year transport grant, and the council has not yet "
            "said whether the service will continue beyond December. Councillors on the transport "
            "committee said the passenger figures made a strong case for keeping it, and pointed "
            "to the recent rise in ferry fares as another pressure on household budgets.",
            links=(("rise in ferry fares", "story:gazette-fares"),),
        ),
        Para(
            "Residents can give feedback on the service through a survey on the county council "
            "website until the end of the month."
        ),
    ),
    comments=(
        Comment(
            "Lena Probert",
            "Great news for the quay workers. Should have been done from the start.",
            2,
        ),
        Comment("Gwyn", "Any chance of a Sunday service too?", 3),
    ),
)

# --- The Northern Ledger ---------------------------------------------------------------------

PASS = Story(
    key="ledger-pass",
    publisher="ledger",
    number=1041,
    slug="skarth-pass-reopens-after-rockfall-clearance",
    title="Skarth pass reopens after three weeks of rockfall clearance",
    standfirst=(
        "Engineers have stabilised the slope above the road with netting and rock anchors, but "
        "warn that further closures are possible in heavy rain."
    ),
    authors=("Karin Lund", "Pieter Vos"),
    section="News",
    tags=("Skarth", "roads"),
    published=Ago(2, 14, 20, LEDGER_TZ),
    lead=Figure(
        "1041-pass.png",
        "Steel mesh now covers the slope above the hairpins.",
        "Picture: Pieter Vos",
    ),
    body=(
        Para(
            "The road over the Skarth pass reopened to traffic this morning, three weeks after a "
            "rockfall buried both lanes under several hundred tonnes of boulders and scree."
        ),
        Para(
            "Contractors working for the regional roads authority have cleared the debris, "
            "repaired a damaged section of the retaining wall and fixed steel mesh across the "
            "most unstable part of the slope above the hairpins."
        ),
        Para(
            "The closure forced drivers between Hollin Vale and the upper valley to make a detour "
            "of more than forty kilometres, adding over an hour to many journeys. Hauliers and "
            "the valley's two bus operators said the diversion had cost them thousands in extra "
            "fuel."
        ),
        Heading("Anchors and netting"),
        Para(
            "Project engineer Sigrun Aaberg said around 120 rock anchors had been drilled into "
            "the cliff, some of them more than eight metres deep. 'We cannot promise that no "
            "stone will ever fall again on a mountain road,' she said. 'What we can say is that "
            "the section that failed is now held far more securely than before.'"
        ),
        Para(
            "Sensors have been fitted to the netting to detect movement, and the roads authority "
            "said it would close the pass automatically if readings rose above a set level."
        ),
        Heading("Traders relieved"),
        Para(
            "Businesses in Skarth village, which relies on passing trade from walkers and "
            "motorists, welcomed the reopening. Marit Solberg, who runs the general store beside "
            "the church, said takings had fallen by half during the closure. 'The road is our "
            "lifeline,' she said. 'Three weeks does not sound like much, but for a small shop it "
            "is a long time.'"
        ),
        Para(
            "Drivers are advised that a 40km/h speed limit will remain in place on the upper "
            "section of the pass until the end of the month while final work on the drainage "
            "ditches is completed."
        ),
    ),
)

FROMAGERIE = Story(
    key="ledger-fromagerie",
    publisher="ledger",
    number=1043,
    slug="vallorbe-les-pins-la-fromagerie-rouvre",
    title="À Vallorbe-les-Pins, la fromagerie coopérative rouvre après l’incendie",
    standfirst=(
        "Huit mois après le feu qui avait détruit ses caves d’affinage, la coopérative laitière "
        "relance la production de sa tomme."
    ),
    authors=("Élodie Marchand",),
    section="Français",
    tags=("Vallorbe-les-Pins", "fromage", "agriculture"),
    published=Ago(3, 9, 10, LEDGER_TZ),
    language="fr",
    lead=Figure(
        "1043-fromagerie.png",
        "La première meule coupée dans la cour de la coopérative.",
        "Photo : Élodie Marchand",
    ),
    body=(
        Para(
            "La fromagerie coopérative de Vallorbe-les-Pins a rouvert ses portes, huit mois "
            "après l’incendie qui avait ravagé ses caves d’affinage et mis à l’arrêt la "
            "production de la célèbre tomme du village."
        ),
        Para(
            "Près de trois cents personnes se sont pressées dans la cour du bâtiment reconstruit "
            "pour assister à la première coupe d’une meule, sous les applaudissements des "
            "producteurs de lait de la vallée."
        ),
        Heading("Des caves entièrement refaites"),
        Para(
            "Le feu, parti d’un tableau électrique en pleine nuit, avait détruit la quasi-totalité "
            "des 4 000 meules en cours d’affinage. Les caves voûtées, construites au XIXe siècle, "
            "ont dû être consolidées avant de pouvoir accueillir de nouveau les fromages."
        ),
        Para(
            "« Nous avons tout reconstruit à l’identique, sauf l’installation électrique, qui est "
            "désormais aux normes les plus strictes », explique Jean-Baptiste Roux, président de "
            "la coopérative. Les travaux ont coûté près de 1,2 million d’euros, financés en partie "
            "par les assurances et par une souscription lancée auprès des habitants."
        ),
        Heading("Un élan de solidarité"),
        Para(
            "Pendant la fermeture, les dix-huit exploitations membres ont continué à livrer leur "
            "lait à une laiterie voisine, à perte, pour ne pas interrompre la traite. Plusieurs "
            "fromagers de la région ont également prêté de la place dans leurs propres caves."
        ),
        Para(
            "« Sans nos voisins, nous aurions sans doute mis la clé sous la porte », reconnaît "
            "Anne-Laure Besson, éleveuse à la sortie du village. « Aujourd’hui, on a le sentiment "
            "que toute la vallée a participé à cette réouverture. »"
        ),
        Para(
            "Les premières tommes issues des nouvelles caves ne seront toutefois prêtes qu’à la "
            "fin de l’été, le temps d’un affinage minimum de dix semaines. D’ici là, la boutique "
            "de la coopérative proposera des fromages fabriqués par ses partenaires."
        ),
        Para(
            "La fromagerie est ouverte au public du mardi au samedi, et des visites guidées des "
            "caves seront organisées chaque mercredi pendant les vacances scolaires."
        ),
    ),
)

CAFE = Story(
    key="ledger-cafe",
    publisher="ledger",
    number=1038,
    slug="hollin-vale-cafe-owner-stakes-40000",
    title="Hollin Vale café owner stakes £40,000 on a ‘last great gamble’",
    standfirst=(
        "Renée Castell has sunk her savings into reopening the old station tearoom — and says "
        "the village needs it as much as she does."
    ),
    authors=("Owen Thwaite",),
    section="Business",
    tags=("Hollin Vale", "small business"),
    published=Ago(6, 12, 0, LEDGER_TZ),
    encoding="windows-1252",
    lead=Figure(
        "1038-cafe.png",
        "Renée Castell behind the counter of the restored tearoom.",
        "Picture: Owen Thwaite",
    ),
    body=(
        Para(
            "Renée Castell has spent £40,000 of her own money turning the derelict tearoom at "
            "Hollin Vale station into a café — a project she describes, only half joking, as her "
            "“last great gamble”."
        ),
        Para(
            "The 58-year-old, a former school cook, took on the lease last winter after the "
            "building had stood empty for almost six years. The roof leaked, the floor had "
            "rotted through in two places and the original range cooker was buried under a pile "
            "of broken chairs."
        ),
        Heading("‘Everyone said I was mad’"),
        Para(
            "“Everyone said I was mad, and my bank manager said it more politely than most,” she "
            "said. “But this village lost its pub, then its post office, then its bus on "
            "Sundays. I didn’t want the station to be next.”"
        ),
        Para(
            "The café opens at seven each morning to catch walkers heading for the fells and "
            "commuters waiting for the first train to the city. Its menu leans heavily on local "
            "suppliers: bread from the bakery in Skarth, eggs from a farm two fields away and a "
            "crème brûlée that has already attracted a small following."
        ),
        Para(
            "Prices have been kept deliberately low. A pot of tea costs £1.80 and a bacon roll "
            "£3.20, and Ms Castell offers a discount to anyone who arrives by bicycle."
        ),
        Heading("Visitors from across the border"),
        Para(
            "Since the line’s weekend service was extended, the station has seen a steady stream "
            "of day-trippers, including groups from across the border who pay in euros at the "
            "ticket office. Ms Castell has started accepting €5 notes at the counter for the "
            "same reason — “it seemed rude not to”."
        ),
        Para(
            "The railway company, which owns the building, said it was delighted to see it back "
            "in use. A spokesman said the café had “brought the station back to life” and that "
            "similar leases were being considered at two other stations on the line."
        ),
        Para(
            "Ms Castell says she will know by the end of the summer whether the gamble has paid "
            "off. “If it hasn’t… well, I’ll have had the best year of my working life anyway,” "
            "she said. “That’s worth something.”"
        ),
    ),
)

SEALS_COPY = Story(
    key="ledger-seals",
    publisher="ledger",
    number=1044,
    slug="record-number-of-seal-pups-counted-on-skerrow-point",
    title=SEALS_TITLE,
    standfirst=SEALS_STANDFIRST,
    authors=("Hana Wexley",),
    section="Region",
    tags=("wildlife", "seals"),
    published=Ago(4, 15, 45, LEDGER_TZ),
    lead=SEALS_LEAD,
    body=SEALS_BODY,
    syndicated_from="gazette-seals",
)

CLOCK = Story(
    key="ledger-clock",
    publisher="ledger",
    number=1036,
    slug="restored-station-clock-at-skarth-strikes-again",
    title="Restored station clock at Skarth strikes the hour again",
    standfirst=(
        "The Victorian clock, silent for twenty years, was brought back to life by a retired "
        "watchmaker and two teenage apprentices."
    ),
    authors=("Ingrid Halvorsen",),
    section="Culture",
    tags=("Skarth", "heritage", "railways"),
    published=Ago(9, 18, 0, LEDGER_TZ),
    lead=Figure(
        "1036-clock.png",
        "Lars Enqvist checks the movement in the clock room.",
        "Picture: Ingrid Halvorsen",
    ),
    body=(
        Para(
            "For the first time in two decades, the clock above the booking hall at Skarth "
            "station struck twelve at noon yesterday, drawing a round of applause from the small "
            "crowd gathered on the platform below."
        ),
        Para(
            "The clock, made in 1881 by a firm of clockmakers in the county town, stopped working "
            "some time around 2004 when a bracket inside the mechanism cracked. With no one able "
            "to repair it, its hands stayed frozen at twenty past four."
        ),
        Heading("A winter in the workshop"),
        Para(
            "Its revival is the work of Lars Enqvist, a retired watchmaker who lives in the "
            "village, and two students from the valley's technical college, Mia Rowntree and "
            "Jonas Petrie. The three spent most of the winter dismantling the movement, cleaning "
            "every part and making replacements for those that could not be saved."
        ),
        Para(
            "'Some of the wheels were worn almost smooth,' Mr Enqvist said. 'We had to cut new "
            "ones by hand, the way they would have done it originally. The young ones picked it "
            "up faster than I did when I was their age.'"
        ),
        Para(
            "The cracked bracket was recast by a foundry in Hollin Vale, using the broken "
            "original as a pattern."
        ),
        Heading("Wound once a week"),
        Para(
            "The clock is wound by hand and needs attention once a week. The station's volunteer "
            "group has drawn up a rota so that someone climbs the narrow stair to the clock room "
            "every Sunday morning."
        ),
        Para(
            "The railway heritage trust, which paid for the materials, said it hoped the project "
            "would encourage other communities to look after the smaller features of their "
            "stations. 'Clocks, signs and benches are what make a station feel cared for,' a "
            "spokeswoman said."
        ),
        Para(
            "Mia Rowntree, who is 17, said she now hopes to train as a clockmaker. 'I did not "
            "know it was a job you could still do,' she said."
        ),
    ),
)

SNOW = Story(
    key="ledger-snow",
    publisher="ledger",
    number=1047,
    slug="early-snow-forecast-for-the-high-valleys",
    title="Early snow forecast for the high valleys this weekend",
    standfirst=(
        "Forecasters expect up to 20cm above 1,200 metres, and the Skarth pass may close overnight."
    ),
    authors=("Pieter Vos",),
    section="News",
    tags=("weather", "Skarth"),
    published=Ago(1, 17, 30, LEDGER_TZ),
    edition=2,
    lead=Figure(
        "1047-snow.png",
        "Cloud gathering over the upper valley above Skarth.",
        "Picture: Pieter Vos",
    ),
    body=(
        Para(
            "Snow is forecast to fall across the high valleys from Friday evening, with up to "
            "twenty centimetres expected above 1,200 metres and a dusting possible as low as the "
            "valley floor at Hollin Vale."
        ),
        Para(
            "The regional weather service has issued a yellow warning for the upper valley and "
            "the Skarth pass, where strong winds are likely to cause drifting on exposed "
            "stretches of road."
        ),
        Heading("Pass may close"),
        Para(
            "The roads authority said gritters would be out from Friday afternoon, but that the "
            "pass could be closed overnight if conditions worsened. Drivers have been reminded "
            "that winter tyres or chains are recommended on the upper section of the road from "
            "now until spring."
        ),
        Para(
            "The early fall has been welcomed at the small ski tow above Skarth, which hopes to "
            "open a fortnight ahead of its usual date if enough snow settles. 'We are not "
            "counting our chickens yet,' said tow operator Henrik Dahle. 'But the phone has "
            "already started ringing.'"
        ),
        Heading("Farmers bring flocks down"),
        Para(
            "Several hill farmers said they had begun bringing sheep down from the higher "
            "pastures earlier than planned. 'An early snow with lambs still up top is the thing "
            "we dread,' said Agnes Murdoch, who farms above the Hollin Vale reservoir. 'Better to "
            "be a week early than a day late.'"
        ),
        Para(
            "Temperatures are expected to rise again early next week, with rain likely to wash "
            "away much of the snow below 1,500 metres."
        ),
    ),
)

# Edition 3: the Ledger's clock story republished by the Gazette the way wire copy usually is:
# a new headline and standfirst, the last paragraph cut for space, a credit line added. The
# body is otherwise the Ledger's, so deduplication must link it to the original.
CLOCK_COPY = Story(
    key="gazette-clock-copy",
    publisher="gazette",
    number=4190,
    slug="teenage-apprentices-help-restore-skarth-station-clock",
    title="Teenage apprentices help bring Skarth's Victorian station clock back to life",
    standfirst=(
        "A retired watchmaker and two college students spent the winter rebuilding the "
        "mechanism, which had been frozen at twenty past four since 2004."
    ),
    authors=("Ingrid Halvorsen",),
    section="News",
    tags=("heritage", "railways"),
    published=Ago(2, 10, 15, GAZETTE_TZ),
    edition=3,
    lead=Figure(
        "skarth-clock-face.png",
        "The restored clock face above the booking hall at Skarth.",
        "Photo: Northern Ledger",
        "Station clock face",
    ),
    image_credit="Featured image via Northern Ledger",
    body=(
        *CLOCK.body[:-1],
        Para(
            "This story was first published by the Northern Ledger and appears here as part of "
            "a content-sharing partnership between the two newspapers."
        ),
    ),
    syndicated_from=CLOCK.key,
)

# Edition 3: a different story on the same event, on the same (Ledger) template as the original:
# the same people and place, written afresh. It must stay a story of its own.
CLOCK_APPRENTICES = Story(
    key="ledger-clock-apprentices",
    publisher="ledger",
    number=1049,
    slug="skarth-clock-apprentices-look-for-their-next-project",
    title="Skarth clock apprentices look for their next project",
    standfirst=(
        "After the station clock, Mia Rowntree and Jonas Petrie want to tackle the church "
        "bells at Hollin Vale."
    ),
    authors=("Ingrid Halvorsen",),
    section="Culture",
    tags=("Skarth", "heritage", "railways"),
    published=Ago(2, 16, 0, LEDGER_TZ),
    edition=3,
    lead=Figure(
        "1049-apprentices.png",
        "Jonas Petrie and Mia Rowntree in the college workshop.",
        "Picture: Ingrid Halvorsen",
    ),
    body=(
        Para(
            "A week after the clock above Skarth station struck noon for the first time in two "
            "decades, the two students who helped repair it are already looking for something "
            "else to fix."
        ),
        Para(
            "Mia Rowntree and Jonas Petrie, both in their second year at the valley's technical "
            "college, have written to the parish council at Hollin Vale offering to look at the "
            "church bell frame, which has been out of use since a beam split in a storm."
        ),
        Heading("Learning from a watchmaker"),
        Para(
            "Neither had worked on anything mechanical before the autumn. Their tutor put them "
            "forward when Lars Enqvist asked the college whether any students wanted to help "
            "with an unusual job, and both say they signed up mainly out of curiosity."
        ),
        Para(
            "'Lars never told us the answer,' said Jonas, who is 18. 'He would hand you a part "
            "and ask what you thought was wrong with it. Most of the time you were wrong, and "
            "then he would explain why.'"
        ),
        Para(
            "The pair now spend two evenings a week at Mr Enqvist's workshop behind the village "
            "shop, where he is teaching them to service pocket watches for customers."
        ),
        Heading("Bells need a different skill"),
        Para(
            "The bell frame would be a far bigger undertaking. The oak beams weigh several "
            "tonnes, and the parish council has been told that a specialist firm would charge "
            "more than it can afford to raise in the next five years."
        ),
        Para(
            "Councillor Ruth Amble said she was touched by the offer but that any work would need "
            "the approval of the diocese and a structural survey. 'Their enthusiasm is exactly "
            "what the village needs. We just need to make sure nobody ends up underneath a bell,' "
            "she said."
        ),
        Para(
            "The college says it will look at whether the project could count towards the "
            "students' qualifications, and has asked the heritage trust that funded the clock "
            "whether it might help again."
        ),
    ),
)

STORIES: tuple[Story, ...] = (
    DREDGING,
    FARES,
    SEALS,
    LIDO,
    FESTIVAL,
    ROWING,
    FISH_MARKET,
    MUSEUM,
    SWIM,
    PIER,
    NIGHT_BUS,
    PASS,
    FROMAGERIE,
    CAFE,
    SEALS_COPY,
    CLOCK,
    SNOW,
    CLOCK_COPY,
    CLOCK_APPRENTICES,
)

# Which story plays which awkward part; the renderers and `DemoServer.case_url` agree on these.
TOP_STORY = DREDGING.key  # linked to its AMP copy from the homepage
TRACKED_STORY = FESTIVAL.key  # linked only with utm_* parameters from the homepage
FLAKY_STORY = LIDO.key  # first request answers 503
CHANGED_STORY = FARES.key  # body revised in edition 2
TRIMMED_COPY_STORY = CLOCK_COPY.key  # edition 3: trimmed, re-headlined copy of a Ledger story
SAME_EVENT_STORY = CLOCK_APPRENTICES.key  # edition 3: same event, same template, different text
