#include "synth/names.h"

#include <array>
#include <cctype>
#include <vector>

namespace onechild::synth {
namespace {

struct Weighted {
  std::string_view name;
  double weight;  // births per year in England and Wales, approximately
};

// Top first names in England and Wales by era of birth, with approximate
// yearly counts from ONS "Baby names in England and Wales" for a middle year
// of each era (2002, 2007, 2012, 2017, 2022). Names outside the top thirty
// come from the shared tails below.
struct Era {
  int from_year;
  std::array<Weighted, 30> boys, girls;
};

constexpr std::array<Era, 5> kEras = {{
    {0,
     {{{"Jack", 9000},     {"Joshua", 7500},  {"Thomas", 7000}, {"James", 6500},
       {"Daniel", 5500},   {"Samuel", 5000},  {"Oliver", 4800}, {"William", 4700},
       {"Benjamin", 4600}, {"Joseph", 4500},  {"Harry", 4400},  {"Matthew", 4300},
       {"Lewis", 4200},    {"Luke", 4100},    {"Ethan", 3900},  {"George", 3800},
       {"Adam", 3700},     {"Alfie", 3300},   {"Callum", 3200}, {"Alexander", 3200},
       {"Mohammed", 3000}, {"Ryan", 3000},    {"Jake", 2900},   {"Liam", 2800},
       {"Charlie", 2700},  {"Cameron", 2500}, {"Kieran", 2400}, {"Jordan", 2400},
       {"Connor", 2400},   {"Nathan", 2300}}},
     {{{"Chloe", 7200},   {"Emily", 7000},    {"Jessica", 6400},   {"Ellie", 5200},
       {"Sophie", 5100},  {"Megan", 5000},    {"Charlotte", 4600}, {"Lucy", 4500},
       {"Hannah", 4400},  {"Olivia", 4300},   {"Lauren", 4000},    {"Katie", 3900},
       {"Grace", 3800},   {"Amy", 3600},      {"Bethany", 3400},   {"Holly", 3300},
       {"Georgia", 3200}, {"Emma", 3100},     {"Molly", 3000},     {"Mia", 2900},
       {"Abigail", 2700}, {"Rebecca", 2600},  {"Eleanor", 2500},   {"Ella", 2400},
       {"Millie", 2300},  {"Courtney", 2200}, {"Jade", 2100},      {"Shannon", 2000},
       {"Leah", 2000},    {"Caitlin", 1900}}}},
    {2005,
     {{{"Jack", 7500},     {"Thomas", 6000},  {"Joshua", 5800},    {"Oliver", 5700},
       {"Harry", 5500},    {"James", 5400},   {"William", 4500},   {"Samuel", 4300},
       {"Daniel", 4200},   {"Charlie", 4100}, {"Benjamin", 3900},  {"Joseph", 3800},
       {"George", 3600},   {"Alfie", 3400},   {"Callum", 3300},    {"Jake", 3300},
       {"Ethan", 3200},    {"Luke", 3100},    {"Matthew", 3100},   {"Jacob", 2900},
       {"Mohammed", 2900}, {"Lewis", 2800},   {"Alexander", 2700}, {"Dylan", 2600},
       {"Adam", 2500},     {"Ryan", 2300},    {"Tyler", 2300},     {"Harvey", 2300},
       {"Max", 2200},      {"Liam", 2000}}},
     {{{"Grace", 5500},   {"Ruby", 5400},    {"Olivia", 5200},   {"Emily", 5100},
       {"Jessica", 5000}, {"Sophie", 4900},  {"Chloe", 4700},    {"Lily", 4600},
       {"Ella", 4300},    {"Amelia", 3700},  {"Lucy", 3600},     {"Charlotte", 3500},
       {"Ellie", 3400},   {"Mia", 3300},     {"Evie", 3100},     {"Hannah", 3000},
       {"Megan", 2900},   {"Katie", 2800},   {"Isabella", 2700}, {"Isabelle", 2600},
       {"Millie", 2600},  {"Abigail", 2500}, {"Amy", 2400},      {"Daisy", 2300},
       {"Freya", 2300},   {"Emma", 2100},    {"Erin", 2000},     {"Poppy", 2000},
       {"Molly", 2000},   {"Holly", 1900}}}},
    {2010,
     {{{"Harry", 7200},   {"Oliver", 7000},   {"Jack", 6700},      {"Charlie", 5400},
       {"Jacob", 5300},   {"Thomas", 5100},   {"Alfie", 4900},     {"Riley", 4400},
       {"William", 4300}, {"James", 4200},    {"Joshua", 4000},    {"George", 3900},
       {"Ethan", 3900},   {"Noah", 3800},     {"Samuel", 3500},    {"Daniel", 3400},
       {"Oscar", 3300},   {"Max", 3200},      {"Muhammad", 3100},  {"Leo", 3100},
       {"Tyler", 2900},   {"Joseph", 2800},   {"Archie", 2700},    {"Henry", 2600},
       {"Lucas", 2600},   {"Mohammed", 2500}, {"Alexander", 2400}, {"Dylan", 2400},
       {"Logan", 2300},   {"Isaac", 2300}}},
     {{{"Amelia", 7100},    {"Olivia", 6200},   {"Lily", 5300},   {"Jessica", 5000},
       {"Emily", 4900},     {"Sophie", 4600},   {"Ruby", 4400},   {"Grace", 4300},
       {"Ava", 4000},       {"Isabella", 3900}, {"Evie", 3800},   {"Chloe", 3700},
       {"Mia", 3500},       {"Poppy", 3400},    {"Isla", 3300},   {"Ella", 3200},
       {"Isabelle", 3000},  {"Sophia", 3000},   {"Freya", 2900},  {"Daisy", 2800},
       {"Charlotte", 2700}, {"Lucy", 2700},     {"Megan", 2500},  {"Holly", 2400},
       {"Phoebe", 2300},    {"Summer", 2300},   {"Millie", 2200}, {"Scarlett", 2200},
       {"Layla", 2100},     {"Lola", 2000}}}},
    {2015,
     {{{"Oliver", 6300},    {"Harry", 5200},  {"George", 5000},  {"Jack", 4800},
       {"Jacob", 4600},     {"Noah", 4500},   {"Charlie", 4300}, {"Muhammad", 4000},
       {"Thomas", 3900},    {"Oscar", 3900},  {"William", 3700}, {"James", 3600},
       {"Leo", 3400},       {"Alfie", 3300},  {"Henry", 3200},   {"Joshua", 3100},
       {"Freddie", 3000},   {"Archie", 2900}, {"Ethan", 2800},   {"Isaac", 2800},
       {"Alexander", 2700}, {"Joseph", 2600}, {"Edward", 2500},  {"Samuel", 2500},
       {"Max", 2400},       {"Logan", 2300},  {"Lucas", 2300},   {"Daniel", 2200},
       {"Theo", 2200},      {"Arthur", 2200}}},
     {{{"Olivia", 5200},   {"Amelia", 5000},   {"Isla", 4000},      {"Ava", 3900},
       {"Emily", 3500},    {"Isabella", 3400}, {"Mia", 3300},       {"Poppy", 3200},
       {"Ella", 3100},     {"Lily", 3000},     {"Sophia", 2800},    {"Grace", 2700},
       {"Evie", 2600},     {"Sophie", 2500},   {"Charlotte", 2400}, {"Freya", 2400},
       {"Daisy", 2300},    {"Isabelle", 2200}, {"Ruby", 2200},      {"Alice", 2100},
       {"Florence", 2000}, {"Jessica", 2000},  {"Sienna", 1900},    {"Willow", 1900},
       {"Phoebe", 1800},   {"Matilda", 1800},  {"Elsie", 1700},     {"Rosie", 1700},
       {"Evelyn", 1700},   {"Ivy", 1600}}}},
    {2020,
     {{{"Noah", 4300},    {"Muhammad", 4200}, {"Oliver", 4100}, {"George", 3900},
       {"Leo", 3800},     {"Arthur", 3600},   {"Oscar", 3300},  {"Theodore", 3200},
       {"Freddie", 2800}, {"Archie", 2800},   {"Henry", 2700},  {"Theo", 2600},
       {"Charlie", 2500}, {"Harry", 2400},    {"Jack", 2300},   {"Finley", 2100},
       {"Alfie", 2100},   {"Thomas", 2000},   {"Luca", 2000},   {"Teddy", 2000},
       {"Lucas", 1900},   {"Isaac", 1900},    {"Jacob", 1800},  {"Hudson", 1800},
       {"Albie", 1700},   {"Tommy", 1700},    {"Reggie", 1700}, {"Roman", 1600},
       {"Edward", 1600},  {"Jude", 1600}}},
     {{{"Olivia", 3600},    {"Amelia", 3500}, {"Isla", 3300},   {"Lily", 3200},
       {"Ava", 3100},       {"Ivy", 3000},    {"Freya", 2900},  {"Florence", 2800},
       {"Isabella", 2600},  {"Mia", 2500},    {"Willow", 2400}, {"Rosie", 2300},
       {"Sophia", 2200},    {"Evie", 2100},   {"Elsie", 2100},  {"Grace", 2000},
       {"Poppy", 2000},     {"Emily", 1900},  {"Ella", 1900},   {"Evelyn", 1800},
       {"Charlotte", 1800}, {"Sienna", 1700}, {"Daisy", 1700},  {"Millie", 1600},
       {"Maya", 1600},      {"Bonnie", 1600}, {"Hallie", 1500}, {"Margot", 1500},
       {"Luna", 1500},      {"Maeve", 1400}}}},
}};

// Less common names of every era, each far below the top thirty. Together
// they carry about half of all births, as the long tail does in ONS data.
constexpr std::string_view kBoyTail[] = {
    "Aaron",       "Abel",      "Aiden",   "Albert",  "Alex",    "Andrew",  "Anthony",
    "Arlo",        "Austin",    "Ben",     "Bobby",   "Brandon", "Caleb",   "Charles",
    "Christopher", "Cody",      "Dexter",  "Dominic", "Edison",  "Elijah",  "Elliot",
    "Ellis",       "Evan",      "Ezra",    "Felix",   "Finn",    "Frankie", "Frederick",
    "Gabriel",     "Harrison",  "Harley",  "Hugo",    "Hunter",  "Jamie",   "Jasper",
    "Jayden",      "Jenson",    "Jesse",   "Jonah",   "Kai",     "Kian",    "Lenny",
    "Leon",        "Louie",     "Louis",   "Marcus",  "Mason",   "Michael", "Miles",
    "Morgan",      "Nathaniel", "Nico",    "Otis",    "Owen",    "Patrick", "Peter",
    "Ralph",       "Reuben",    "Rhys",    "Robert",  "Ronnie",  "Rory",    "Rowan",
    "Sebastian",   "Sonny",     "Spencer", "Stanley", "Toby",    "Tristan", "Vincent",
    "Wilfred",     "Zachary"};
constexpr std::string_view kGirlTail[] = {
    "Abbie",  "Aimee",    "Alexandra", "Alexis",    "Amber",   "Amelie", "Anna",    "Aria",
    "Aurora", "Beatrice", "Bella",     "Bethan",    "Brooke",  "Clara",  "Darcey",  "Darcy",
    "Eden",   "Eleanor",  "Eliza",     "Elizabeth", "Eloise",  "Emilia", "Erin",    "Esme",
    "Eva",    "Faith",    "Frankie",   "Gabriella", "Gracie",  "Harper", "Harriet", "Heidi",
    "Hollie", "Imogen",   "Iris",      "Isabel",    "Jasmine", "Julia",  "Kayla",   "Keira",
    "Lacey",  "Lara",     "Leila",     "Lexi",      "Lilly",   "Lottie", "Lydia",   "Maddison",
    "Maisie", "Maria",    "Martha",    "Matilda",   "Mollie",  "Nancy",  "Naomi",   "Niamh",
    "Paige",  "Penelope", "Robyn",     "Rose",      "Sadie",   "Sara",   "Skye",    "Sofia",
    "Thea",   "Tilly",    "Violet",    "Zara",      "Zoe",     "Zoë",    "Orla",    "Nell"};
// The share of births whose name comes from the tail rather than the top thirty.
constexpr double kTailShare = 0.5;

// Mothers of today's children were mostly born 1975-2000.
constexpr std::string_view kMothers[] = {
    "Sarah",  "Laura",     "Gemma",    "Emma",   "Rebecca",   "Claire",   "Victoria", "Samantha",
    "Rachel", "Amy",       "Jennifer", "Nicola", "Kelly",     "Natalie",  "Louise",   "Hayley",
    "Lisa",   "Stacey",    "Jessica",  "Lauren", "Charlotte", "Danielle", "Katie",    "Sophie",
    "Hannah", "Zoe",       "Jade",     "Kirsty", "Leanne",    "Michelle", "Joanne",   "Katherine",
    "Helen",  "Stephanie", "Lucy",     "Kerry",  "Donna",     "Rachael",  "Carly",    "Jodie"};

// Surnames with approximate frequency per 100,000 people in England and
// Wales (ONS / Great Britain family names studies) (check).
constexpr Weighted kBritishSurnames[] = {
    {"Smith", 1150},       {"Jones", 750},      {"Williams", 610},    {"Taylor", 500},
    {"Brown", 480},        {"Davies", 470},     {"Evans", 320},       {"Wilson", 300},
    {"Thomas", 290},       {"Johnson", 280},    {"Roberts", 280},     {"Robinson", 250},
    {"Thompson", 250},     {"Wright", 245},     {"Walker", 240},      {"White", 230},
    {"Edwards", 225},      {"Hughes", 220},     {"Green", 210},       {"Hall", 210},
    {"Lewis", 205},        {"Harris", 200},     {"Clarke", 195},      {"Jackson", 190},
    {"Wood", 185},         {"Turner", 180},     {"Martin", 175},      {"Cooper", 170},
    {"Hill", 170},         {"Ward", 165},       {"Morris", 160},      {"Moore", 160},
    {"Clark", 155},        {"Lee", 150},        {"King", 150},        {"Baker", 145},
    {"Harrison", 140},     {"Morgan", 140},     {"Allen", 135},       {"James", 135},
    {"Scott", 130},        {"Phillips", 125},   {"Watson", 125},      {"Davis", 120},
    {"Parker", 120},       {"Price", 115},      {"Bennett", 115},     {"Young", 110},
    {"Griffiths", 110},    {"Mitchell", 105},   {"Kelly", 105},       {"Cook", 100},
    {"Carter", 100},       {"Richardson", 100}, {"Bailey", 95},       {"Collins", 95},
    {"Bell", 90},          {"Shaw", 90},        {"Murphy", 90},       {"Miller", 85},
    {"Cox", 85},           {"Richards", 85},    {"Marshall", 80},     {"Anderson", 80},
    {"Simpson", 80},       {"Ellis", 75},       {"Adams", 75},        {"Wilkinson", 70},
    {"Foster", 70},        {"Chapman", 70},     {"Powell", 65},       {"Webb", 65},
    {"Rogers", 65},        {"Gray", 60},        {"Mason", 60},        {"Hunt", 60},
    {"Campbell", 55},      {"Matthews", 55},    {"Owen", 55},         {"Palmer", 55},
    {"Holmes", 50},        {"Mills", 50},       {"Barnes", 50},       {"Knight", 50},
    {"Lloyd", 50},         {"Butler", 45},      {"Russell", 45},      {"Barker", 45},
    {"Fisher", 45},        {"Stevens", 45},     {"Jenkins", 40},      {"Murray", 40},
    {"Dixon", 40},         {"Harvey", 40},      {"Graham", 40},       {"Pearson", 35},
    {"Fletcher", 35},      {"Walsh", 35},       {"Gibson", 35},       {"Howard", 35},
    {"Ffrench", 4},        {"Ashworth", 12},    {"Pemberton", 10},    {"Oldroyd", 5},
    {"Thistlethwaite", 3}, {"Featherstone", 8}, {"Postlethwaite", 3}, {"Greenhalgh", 9},
    {"Sidebottom", 4},     {"Winterbottom", 4}, {"Ackroyd", 6},       {"Braithwaite", 9},
    {"Cholmondeley", 1},   {"Fairclough", 8},   {"Hargreaves", 14},   {"Smith-Jones", 2},
    {"Brown-Wilson", 1},   {"Taylor-Smith", 2}};
constexpr Weighted kIrishSurnames[] = {
    {"Murphy", 100},   {"Kelly", 90},    {"O'Brien", 80},    {"Ryan", 70},       {"O'Sullivan", 60},
    {"Walsh", 60},     {"O'Connor", 55}, {"McCarthy", 50},   {"Byrne", 50},      {"Doyle", 45},
    {"Gallagher", 40}, {"O'Neill", 40},  {"Quinn", 35},      {"Brennan", 30},    {"Kavanagh", 25},
    {"Flanagan", 25},  {"Connolly", 25}, {"Fitzgerald", 25}, {"McLaughlin", 20}, {"Donnelly", 20}};
constexpr Weighted kEastEuropeanSurnames[] = {
    {"Nowak", 60},      {"Kowalski", 45},  {"Wiśniewski", 35},  {"Wójcik", 30},
    {"Kowalczyk", 30},  {"Kamiński", 28},  {"Lewandowski", 28}, {"Zieliński", 25},
    {"Szymański", 24},  {"Woźniak", 22},   {"Dąbrowski", 20},   {"Kozłowski", 18},
    {"Mazur", 18},      {"Krawczyk", 16},  {"Popescu", 30},     {"Ionescu", 20},
    {"Popa", 22},       {"Dumitru", 16},   {"Constantin", 14},  {"Stan", 14},
    {"Kazlauskas", 10}, {"Jankauskas", 8}, {"Horváth", 10},     {"Petrov", 8},
    {"Novák", 10}};
constexpr Weighted kSouthAsianMuslimSurnames[] = {
    {"Khan", 200},   {"Ahmed", 140},  {"Hussain", 130},  {"Ali", 120},     {"Begum", 60},
    {"Iqbal", 45},   {"Mahmood", 40}, {"Akhtar", 40},    {"Rahman", 40},   {"Islam", 35},
    {"Uddin", 30},   {"Miah", 30},    {"Chowdhury", 25}, {"Shah", 30},     {"Malik", 30},
    {"Qureshi", 20}, {"Butt", 20},    {"Aslam", 15},     {"Raza", 15},     {"Javed", 12},
    {"Rashid", 15},  {"Sheikh", 15},  {"Hassan", 15},    {"Siddique", 10}, {"Haque", 12}};
constexpr Weighted kIndianSurnames[] = {
    {"Patel", 250},  {"Singh", 120}, {"Kaur", 60},   {"Sharma", 40},  {"Kumar", 40},
    {"Mistry", 25},  {"Shah", 30},   {"Gill", 30},   {"Sandhu", 25},  {"Sidhu", 18},
    {"Dhillon", 18}, {"Bains", 15},  {"Parmar", 20}, {"Chauhan", 15}, {"Solanki", 15},
    {"Joshi", 15},   {"Mehta", 15},  {"Desai", 12},  {"Gupta", 15},   {"Verma", 10},
    {"Rai", 12},     {"Bhatt", 10},  {"Thakkar", 8}, {"Lakhani", 8},  {"Grewal", 10}};
constexpr Weighted kBlackAfricanSurnames[] = {
    {"Okafor", 20}, {"Okonkwo", 15}, {"Adeyemi", 18}, {"Adebayo", 18}, {"Ogunleye", 10},
    {"Mensah", 20}, {"Asante", 15},  {"Boateng", 18}, {"Owusu", 20},   {"Osei", 18},
    {"Appiah", 12}, {"Mohamed", 30}, {"Abdi", 25},    {"Hassan", 15},  {"Nwosu", 10},
    {"Eze", 10},    {"Okoye", 10},   {"Balogun", 10}, {"Kamara", 12},  {"Sesay", 10},
    {"Bangura", 8}, {"Diallo", 8},   {"Ndlovu", 8},   {"Moyo", 8},     {"Phiri", 6}};
constexpr Weighted kBlackCaribbeanSurnames[] = {
    {"Campbell", 40}, {"Brown", 40}, {"Williams", 40}, {"Thomas", 25},  {"Clarke", 25},
    {"Francis", 20},  {"Grant", 20}, {"Reid", 20},     {"Johnson", 25}, {"Richards", 15},
    {"Morgan", 15},   {"Lewis", 15}, {"Samuels", 12},  {"Henry", 12},   {"Bailey", 12},
    {"Forbes", 10},   {"Blake", 10}, {"Charles", 10},  {"Edwards", 10}, {"Graham", 10}};
constexpr Weighted kChineseSurnames[] = {{"Wang", 30}, {"Li", 30},    {"Zhang", 25},  {"Chen", 30},
                                         {"Liu", 20},  {"Yang", 12},  {"Huang", 12},  {"Zhao", 10},
                                         {"Wu", 12},   {"Zhou", 10},  {"Xu", 8},      {"Wong", 30},
                                         {"Chan", 30}, {"Leung", 15}, {"Cheung", 15}, {"Lam", 15},
                                         {"Ng", 15},   {"Ho", 12},    {"Lee", 15},    {"Tang", 10}};

// First names of families of other traditions: one list for all eras (the
// ONS rankings change little for them within 25 years).
constexpr std::string_view kSouthAsianMuslimBoys[] = {
    "Muhammad", "Muhammad", "Muhammad", "Mohammed", "Mohammad", "Ibrahim", "Yusuf",    "Adam",
    "Ali",      "Zayn",     "Hamza",    "Ayaan",    "Rayyan",   "Musa",    "Abdullah", "Zakariya",
    "Umar",     "Hassan",   "Bilal",    "Idris",    "Ismail",   "Haris",   "Zain",     "Imran",
    "Usman",    "Amir",     "Rehan",    "Faisal",   "Aryan",    "Aadam"};
constexpr std::string_view kSouthAsianMuslimGirls[] = {
    "Maryam", "Aisha",  "Zainab",   "Fatima",  "Hafsa",    "Amina",  "Khadija", "Hawa",
    "Inaaya", "Zara",   "Sara",     "Ayesha",  "Hannah",   "Eshal",  "Anaya",   "Safa",
    "Mariam", "Sumaya", "Iqra",     "Noor",    "Laiba",    "Alisha", "Aleena",  "Sana",
    "Yasmin", "Samira", "Ruqayyah", "Mehreen", "Nusaybah", "Humaira"};
constexpr std::string_view kIndianBoys[] = {
    "Arjun",   "Aarav",  "Rohan", "Dev",    "Aryan",  "Krish", "Vihaan", "Ishaan",
    "Jai",     "Rahul",  "Arav",  "Veer",   "Karan",  "Sai",   "Harjot", "Gurveer",
    "Manveer", "Jasraj", "Rishi", "Neel",   "Ravi",   "Sahil", "Kabir",  "Om",
    "Reyansh", "Ayaan",  "Hari",  "Nikhil", "Aditya", "Vivaan"};
constexpr std::string_view kIndianGirls[] = {
    "Priya", "Anaya",  "Diya",     "Aanya",   "Riya",     "Simran",   "Isha",   "Saanvi",
    "Avni",  "Navya",  "Jasleen",  "Harleen", "Amrit",    "Kiran",    "Anika",  "Meera",
    "Tara",  "Shreya", "Pooja",    "Nisha",   "Jaspreet", "Manpreet", "Ishani", "Kavya",
    "Siya",  "Myra",   "Aaradhya", "Navdeep", "Gurleen",  "Asha"};
constexpr std::string_view kBlackAfricanBoys[] = {
    "Daniel",  "David", "Joshua", "Samuel", "Emmanuel", "Michael",   "Joseph",  "Jayden",
    "Nathan",  "Kofi",  "Kwame",  "Tobi",   "Chinedu",  "Oluwaseun", "Ayodele", "Mohamed",
    "Abdi",    "Yusuf", "Elijah", "Isaac",  "Caleb",    "Jeremiah",  "Ethan",   "Ezekiel",
    "Olamide", "Femi",  "Tunde",  "Kayode", "Obinna",   "Ahmed"};
constexpr std::string_view kBlackAfricanGirls[] = {
    "Grace",  "Blessing", "Precious", "Favour", "Esther",  "Deborah", "Abigail", "Amara",
    "Adaeze", "Chioma",   "Ifeoma",   "Folake", "Ayomide", "Tolu",    "Nia",     "Zara",
    "Hodan",  "Fartun",   "Ayaan",    "Hannah", "Comfort", "Adwoa",   "Akosua",  "Amina",
    "Faith",  "Mercy",    "Temitope", "Ruth",   "Naomi",   "Hawa"};
constexpr std::string_view kChineseBoys[] = {
    "Ethan", "Lucas", "Jayden", "Ryan",   "Daniel", "Jason",  "Kevin", "Wei",
    "Hao",   "Jun",   "Ming",   "Yichen", "Zihan",  "Haoran", "Aiden", "Oscar"};
constexpr std::string_view kChineseGirls[] = {
    "Chloe", "Emily",  "Grace", "Jessica", "Amy", "Michelle", "Mei",    "Xin",
    "Yuxin", "Zixuan", "Yu",    "Ling",    "Hui", "Angel",    "Elaine", "Joy"};
constexpr std::string_view kEastEuropeanBoys[] = {
    "Jakub",  "Szymon",  "Filip",     "Kacper", "Mateusz", "Antoni", "Jan",    "Aleksander",
    "Oliwer", "Andrei",  "Alexandru", "David",  "Luca",    "Matei",  "Ionuț",  "Ștefan",
    "Nikola", "Dominik", "Tomas",     "Lukas",  "Matas",   "Wiktor", "Michał", "Bartosz"};
constexpr std::string_view kEastEuropeanGirls[] = {
    "Zofia",  "Julia",    "Zuzanna",  "Maja",  "Hanna",   "Lena",       "Alicja",   "Oliwia",
    "Amelia", "Maria",    "Ioana",    "Elena", "Sofia",   "Andreea",    "Gabriela", "Natalia",
    "Emilia", "Wiktoria", "Karolina", "Ugnė",  "Emilija", "Małgorzata", "Nikola",   "Antonina"};
constexpr std::string_view kIrishBoys[] = {"Cian",   "Oisín",   "Seán",  "Conor", "Darragh",
                                           "Ciarán", "Patrick", "Aidan", "Liam",  "Rory"};
constexpr std::string_view kIrishGirls[] = {"Niamh", "Aoife",  "Siobhán", "Ciara", "Saoirse",
                                            "Orla",  "Róisín", "Caoimhe", "Erin",  "Clodagh"};

// A name drawn in proportion to its weight, from a C array or std::array.
template <typename Table>
std::string draw_weighted(Random& rng, const Table& table) {
  std::array<double, std::size(Table{})> weights{};
  for (size_t i = 0; i < weights.size(); ++i)
    weights[i] = std::data(table)[i].weight;
  return std::string(std::data(table)[rng.weighted(weights)].name);
}

template <size_t N>
std::string draw_uniform(Random& rng, const std::string_view (&names)[N]) {
  return std::string(names[static_cast<size_t>(rng.below(N))]);
}

std::string british_given_name(Random& rng, Sex sex, int birth_year) {
  if (birth_year < 1990) {
    return sex == Sex::kFemale ? draw_uniform(rng, kMothers) : draw_uniform(rng, kBoyTail);
  }
  if (rng.chance(kTailShare)) {
    return sex == Sex::kMale ? draw_uniform(rng, kBoyTail) : draw_uniform(rng, kGirlTail);
  }
  const Era* era = &kEras[0];
  for (const Era& e : kEras) {
    if (birth_year >= e.from_year) era = &e;
  }
  return draw_weighted(rng, sex == Sex::kMale ? era->boys : era->girls);
}

struct Nickname {
  std::string_view formal;
  std::string_view informal[2];
};
constexpr Nickname kNicknames[] = {
    {"Alexander", {"Alex", "Xander"}},    {"Alexandra", {"Alex", "Lexi"}},
    {"Benjamin", {"Ben", "Benji"}},       {"Christopher", {"Chris", "Kit"}},
    {"Daniel", {"Danny", "Dan"}},         {"Edward", {"Eddie", "Ted"}},
    {"Elizabeth", {"Beth", "Lizzie"}},    {"Frederick", {"Freddie", "Fred"}},
    {"Jacob", {"Jake", "Jake"}},          {"James", {"Jamie", "Jim"}},
    {"Jessica", {"Jess", "Jessie"}},      {"Joseph", {"Joe", "Joey"}},
    {"Joshua", {"Josh", "Josh"}},         {"Katherine", {"Kate", "Katie"}},
    {"Matthew", {"Matt", "Matty"}},       {"Michael", {"Mike", "Mikey"}},
    {"Nathaniel", {"Nate", "Nathan"}},    {"Oliver", {"Ollie", "Olly"}},
    {"Rebecca", {"Becky", "Becca"}},      {"Robert", {"Rob", "Bobby"}},
    {"Samuel", {"Sam", "Sammy"}},         {"Samantha", {"Sam", "Sammie"}},
    {"Sophia", {"Sophie", "Sophie"}},     {"Theodore", {"Theo", "Teddy"}},
    {"Thomas", {"Tom", "Tommy"}},         {"William", {"Will", "Billy"}},
    {"Isabella", {"Bella", "Izzy"}},      {"Isabelle", {"Izzy", "Belle"}},
    {"Charlotte", {"Lottie", "Charlie"}}, {"Eleanor", {"Ellie", "Nell"}},
    {"Florence", {"Flo", "Florrie"}},     {"Abigail", {"Abbie", "Abby"}},
    {"Harriet", {"Hattie", "Harry"}},     {"Matilda", {"Tilly", "Tilda"}},
    {"Victoria", {"Vicky", "Tori"}},      {"Gabriel", {"Gabe", "Gabe"}},
    {"Zachary", {"Zac", "Zach"}},         {"Harrison", {"Harry", "Harri"}},
    {"Henry", {"Harry", "Hal"}},          {"Evelyn", {"Evie", "Eve"}},
    {"Amelia", {"Millie", "Mia"}},        {"Muhammad", {"Mohammed", "Mohammad"}},
    {"Mohammed", {"Muhammad", "Mohd"}},   {"Oluwaseun", {"Seun", "Seun"}},
    {"Aleksander", {"Olek", "Alek"}},     {"Małgorzata", {"Gosia", "Małgosia"}}};

// Diacritics the name tables use, folded to ASCII.
struct Fold {
  std::string_view utf8;
  char ascii;
};
constexpr Fold kFolds[] = {{"ë", 'e'}, {"é", 'e'}, {"ė", 'e'}, {"ę", 'e'}, {"á", 'a'}, {"ą", 'a'},
                           {"ă", 'a'}, {"í", 'i'}, {"ó", 'o'}, {"ú", 'u'}, {"ś", 's'}, {"ș", 's'},
                           {"š", 's'}, {"ł", 'l'}, {"ń", 'n'}, {"ć", 'c'}, {"ź", 'z'}, {"ż", 'z'},
                           {"ț", 't'}, {"Ș", 'S'}, {"Ł", 'L'}, {"Ś", 'S'}, {"Ó", 'O'}, {"Ż", 'Z'}};

}  // namespace

NameOrigin name_origin(Random& rng, char ethnic_category) {
  switch (ethnic_category) {
    case 'B':
      return NameOrigin::kIrish;
    case 'C':
      return rng.chance(0.6) ? NameOrigin::kEastEuropean : NameOrigin::kBritish;
    case 'D':
      return rng.chance(0.5) ? NameOrigin::kBlackCaribbean : NameOrigin::kBritish;
    case 'E':
      return rng.chance(0.5) ? NameOrigin::kBlackAfrican : NameOrigin::kBritish;
    case 'F':
      return rng.chance(0.5) ? NameOrigin::kSouthAsianMuslim : NameOrigin::kBritish;
    case 'H':
      return NameOrigin::kIndian;
    case 'J':
    case 'K':
      return NameOrigin::kSouthAsianMuslim;
    case 'L':
      return rng.chance(0.5) ? NameOrigin::kSouthAsianMuslim : NameOrigin::kIndian;
    case 'M':
      return NameOrigin::kBlackCaribbean;
    case 'N':
    case 'P':
      return NameOrigin::kBlackAfrican;
    case 'R':
      return NameOrigin::kChinese;
    case 'S':
      return rng.chance(0.5) ? NameOrigin::kSouthAsianMuslim : NameOrigin::kBritish;
    default:
      return NameOrigin::kBritish;
  }
}

std::string draw_given_name(Random& rng, NameOrigin origin, Sex sex, int birth_year) {
  const bool boy = sex == Sex::kMale;
  switch (origin) {
    case NameOrigin::kBritish:
    case NameOrigin::kBlackCaribbean:
      return british_given_name(rng, sex, birth_year);
    case NameOrigin::kIrish:
      if (rng.chance(0.3))
        return boy ? draw_uniform(rng, kIrishBoys) : draw_uniform(rng, kIrishGirls);
      return british_given_name(rng, sex, birth_year);
    case NameOrigin::kEastEuropean:
      return boy ? draw_uniform(rng, kEastEuropeanBoys) : draw_uniform(rng, kEastEuropeanGirls);
    case NameOrigin::kSouthAsianMuslim:
      return boy ? draw_uniform(rng, kSouthAsianMuslimBoys)
                 : draw_uniform(rng, kSouthAsianMuslimGirls);
    case NameOrigin::kIndian:
      return boy ? draw_uniform(rng, kIndianBoys) : draw_uniform(rng, kIndianGirls);
    case NameOrigin::kBlackAfrican:
      return boy ? draw_uniform(rng, kBlackAfricanBoys) : draw_uniform(rng, kBlackAfricanGirls);
    case NameOrigin::kChinese:
      return boy ? draw_uniform(rng, kChineseBoys) : draw_uniform(rng, kChineseGirls);
  }
  return british_given_name(rng, sex, birth_year);
}

std::string draw_family_name(Random& rng, NameOrigin origin) {
  switch (origin) {
    case NameOrigin::kBritish:
      return draw_weighted(rng, kBritishSurnames);
    case NameOrigin::kIrish:
      return rng.chance(0.6) ? draw_weighted(rng, kIrishSurnames)
                             : draw_weighted(rng, kBritishSurnames);
    case NameOrigin::kEastEuropean:
      return draw_weighted(rng, kEastEuropeanSurnames);
    case NameOrigin::kSouthAsianMuslim:
      return draw_weighted(rng, kSouthAsianMuslimSurnames);
    case NameOrigin::kIndian:
      return draw_weighted(rng, kIndianSurnames);
    case NameOrigin::kBlackAfrican:
      return draw_weighted(rng, kBlackAfricanSurnames);
    case NameOrigin::kBlackCaribbean:
      return draw_weighted(rng, kBlackCaribbeanSurnames);
    case NameOrigin::kChinese:
      return draw_weighted(rng, kChineseSurnames);
  }
  return draw_weighted(rng, kBritishSurnames);
}

std::string family_name_for(std::string_view family_name, Sex sex) {
  std::string name(family_name);
  if (sex != Sex::kFemale || name.size() < 3) return name;
  // Kowalski -> Kowalska, Zieliński -> Zielińska, Kozłowski -> Kozłowska.
  if (name.ends_with("ski") || name.ends_with("cki") || name.ends_with("dzki")) name.back() = 'a';
  return name;
}

std::optional<std::string> informal_name(Random& rng, std::string_view given_name) {
  for (const auto& n : kNicknames) {
    if (n.formal == given_name) return std::string(n.informal[rng.below(2)]);
  }
  return std::nullopt;
}

namespace {

std::string one_slip(Random& rng, std::string s, const std::vector<size_t>& letters) {
  // Not the first letter: slips at the start are rarer and caught on sight.
  const size_t at =
      letters[static_cast<size_t>(rng.between(1, static_cast<int64_t>(letters.size()) - 1))];
  static constexpr std::string_view kNear = "qwertyuiopasdfghjklzxcvbnm";
  switch (rng.below(4)) {
    case 0: {  // a neighbouring key
      const auto lower = static_cast<char>(std::tolower(static_cast<unsigned char>(s[at])));
      const size_t k = kNear.find(lower);
      const char near = kNear[(k == std::string_view::npos ? 0 : k + 1) % kNear.size()];
      s[at] = std::isupper(static_cast<unsigned char>(s[at])) != 0
                  ? static_cast<char>(std::toupper(static_cast<unsigned char>(near)))
                  : near;
      break;
    }
    case 1:
      s.erase(at, 1);
      break;
    case 2:
      s.insert(at, 1, s[at]);
      break;
    default:
      if (at + 1 < s.size() && std::isalpha(static_cast<unsigned char>(s[at + 1])) != 0) {
        std::swap(s[at], s[at + 1]);
      } else {
        s.erase(at, 1);
      }
  }
  return s;
}

}  // namespace

std::string with_typo(Random& rng, std::string_view name) {
  // Only plain ASCII letters are touched, so a multi-byte character is never split.
  std::vector<size_t> letters;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::isalpha(static_cast<unsigned char>(name[i])) != 0) letters.push_back(i);
  }
  if (letters.size() < 3) return std::string(name) + "e";
  // Swapping "ll" changes nothing: try again until the name differs.
  for (;;) {
    std::string typo = one_slip(rng, std::string(name), letters);
    if (typo != name) return typo;
  }
}

std::string ascii_upper(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      out += static_cast<char>(std::toupper(c));
      ++i;
      continue;
    }
    bool folded = false;
    for (const auto& f : kFolds) {
      if (name.substr(i, f.utf8.size()) == f.utf8) {
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(f.ascii)));
        i += f.utf8.size();
        folded = true;
        break;
      }
    }
    if (!folded) ++i;  // a character the tables never use: dropped, as an old PAS would
  }
  return out;
}

}  // namespace onechild::synth
